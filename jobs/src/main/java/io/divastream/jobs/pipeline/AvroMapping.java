package io.divastream.jobs.pipeline;

import io.divastream.connectors.dlq.DeadLetters;
import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.EvaluationResult;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.PromotionDecision;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.metrics.RetrievalMetricsFunction;
import io.divastream.model.DivaHead;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.schemas.ClassGroupMetrics;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.schemas.PromotionDecisionType;
import io.divastream.schemas.PromotionRecord;
import io.divastream.schemas.RetrievalMetrics;
import io.divastream.schemas.Split;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps the job's internal records to the Avro wire records of the output topics. */
public final class AvroMapping {

    private AvroMapping() {}

    /**
     * Maps an embedding.
     *
     * @param e the embedding
     * @param heads the model's heads in network order
     * @return the wire record
     */
    public static EmbeddingRecord embedding(ImageEmbedding e, List<DivaHead> heads) {
        Map<String, List<Float>> perHead = new LinkedHashMap<>();
        for (int h = 0; h < heads.size(); h++) {
            perHead.put(heads.get(h).id(), floats(e.heads()[h]));
        }
        return EmbeddingRecord.newBuilder()
                .setImageId(e.imageId())
                .setLabel(e.label())
                .setSplit(e.role() == Role.EVAL ? Split.EVAL : Split.TRAIN)
                .setModelVersion(e.modelVersion())
                .setCombined(floats(e.combined()))
                .setHeads(perHead)
                .setEventTime(Instant.ofEpochMilli(e.eventTime()))
                .setModelCreatedAt(Instant.ofEpochMilli(e.modelCreatedAt()))
                .setEmbeddedAt(Instant.ofEpochMilli(e.embeddedAt()))
                .build();
    }

    /**
     * Maps an evaluation result.
     *
     * @param r the result
     * @return the wire record
     */
    public static MetricsRecord metrics(EvaluationResult r) {
        Map<String, RetrievalMetrics> metrics = new LinkedHashMap<>();
        Map<String, RetrievalMetrics> seen = new LinkedHashMap<>();
        for (int i = 0; i < r.embeddings().length; i++) {
            metrics.put(r.embeddings()[i], retrieval(r.scores()[i], r.recallKs(), r.recallAtK()[i]));
            if (r.hasSeen()) {
                seen.put(r.embeddings()[i], retrieval(r.seenScores()[i], r.recallKs(), r.seenRecallAtK()[i]));
            }
        }
        return MetricsRecord.newBuilder()
                .setModelVersion(r.modelVersion())
                .setTrainingStep(r.trainingStep())
                .setImagesSeen(r.imagesSeen())
                .setEvalImages(r.evalImages())
                .setEvalClasses(r.evalClasses())
                .setMetrics(metrics)
                .setModelCreatedAt(Instant.ofEpochMilli(r.modelCreatedAt()))
                .setComputedAt(Instant.ofEpochMilli(r.computedAt()))
                .setMode(r.mode())
                .setQueryImages(r.queryImages())
                .setSeenImages(r.seenImages())
                .setSeenClasses(r.seenClasses())
                .setSeen(seen)
                .setServingVersion(r.continual().servingVersion())
                .setCrossVersion(
                        r.continual().hasCrossVersion()
                                ? Map.of(
                                        RetrievalMetricsFunction.COMBINED,
                                        retrieval(r.continual().crossVersion(), new int[0], new double[0]))
                                : Map.of())
                .setClassGroupSize(r.continual().classGroupSize())
                .setClassGroups(r.continual().groups().stream()
                        .map(g -> ClassGroupMetrics.newBuilder()
                                .setGroup(g.group())
                                .setClasses(g.classes())
                                .setImages(g.images())
                                .setRecallAt1(g.recallAt1())
                                .setMapAtR(g.mapAtR())
                                .setBestEarlierRecallAt1(g.bestEarlierRecallAt1())
                                .setForgetting(g.forgetting())
                                .build())
                        .toList())
                .build();
    }

    /**
     * Maps a promotion decision.
     *
     * @param d the decision
     * @return the wire record
     */
    public static PromotionRecord promotion(PromotionDecision d) {
        return PromotionRecord.newBuilder()
                .setModelVersion(d.modelVersion())
                .setDecision(PromotionDecisionType.valueOf(d.kind().name()))
                .setPromotedVersion(d.promotedVersion())
                .setPreviousVersion(d.previousVersion())
                .setCandidateRecallAt1(d.candidateRecallAt1())
                .setPromotedRecallAt1(d.promotedRecallAt1())
                .setImages(d.images())
                .setTolerance(d.tolerance())
                .setMinImages(d.minImages())
                .setReason(d.reason())
                .setTrainingStep(d.trainingStep())
                .setDecidedAt(Instant.ofEpochMilli(d.decidedAt()))
                .setCommandId(d.commandId())
                .setPinned(d.pinned())
                .build();
    }

    private static RetrievalMetrics retrieval(double[] s, int[] ks, double[] recallAtK) {
        Map<String, Double> byK = new LinkedHashMap<>();
        for (int j = 0; j < ks.length; j++) {
            byK.put(Integer.toString(ks[j]), recallAtK[j]);
        }
        return RetrievalMetrics.newBuilder()
                .setRecallAt1(s[0])
                .setRecallAt2(s[1])
                .setRecallAt4(s[2])
                .setRecallAt8(s[3])
                .setNmi(s[EvaluationResult.NMI])
                .setMapAtR(s[EvaluationResult.MAP_AT_R])
                .setPrecisionAt1(s[EvaluationResult.PRECISION_AT_1])
                .setRPrecision(s[EvaluationResult.R_PRECISION])
                .setF1(s[EvaluationResult.F1])
                .setRecallAtK(byK)
                .build();
    }

    /**
     * Maps a model version, with the SHA-256 of the manifest its artefact has ({@link ArtefactShape#manifestBytes},
     * the bytes {@code ModelArtefactSink} writes for the same update when the job exports artefacts).
     *
     * @param m the model update
     * @param shape what the job's artefacts are made of, as given to the artefact sink
     * @return the wire record
     */
    public static ModelVersionRecord modelVersion(ModelUpdate m, ArtefactShape shape) {
        ModelSnapshot snapshot = new ModelSnapshot(m.version(), m.step(), m.parameters(), m.parameterCount());
        String manifestSha256 = ModelSnapshot.sha256(shape.manifestBytes(snapshot));
        NetworkSpec network = shape.network();
        return modelVersion(m, network.heads(), network.embeddingDim(), manifestSha256);
    }

    /**
     * Maps a model version.
     *
     * @param m the model update
     * @param heads the model's heads
     * @param embeddingDim the head dimension
     * @param manifestSha256 the SHA-256 of its artefact's manifest, or null if unknown
     * @return the wire record
     */
    public static ModelVersionRecord modelVersion(
            ModelUpdate m, List<DivaHead> heads, int embeddingDim, String manifestSha256) {
        Map<String, Double> losses = new LinkedHashMap<>();
        for (int i = 0; i < m.lossNames().length; i++) {
            if (!Double.isNaN(m.lossValues()[i])) {
                losses.put(m.lossNames()[i], m.lossValues()[i]);
            }
        }
        return ModelVersionRecord.newBuilder()
                .setModelVersion(m.version())
                .setTrainingStep(m.step())
                .setImagesSeen(m.imagesSeen())
                .setTrainClasses(m.trainClasses())
                .setHeads(heads.stream().map(DivaHead::id).toList())
                .setEmbeddingDim(embeddingDim)
                .setParameterCount(m.parameterCount())
                .setParameterBytes(m.parameters().length)
                .setParameterSha256(m.parameterSha256())
                .setLosses(losses)
                .setCreatedAt(Instant.ofEpochMilli(m.createdAt()))
                .setCheckpointId(m.checkpointId() == ModelUpdate.NO_CHECKPOINT ? null : m.checkpointId())
                .setManifestSha256(manifestSha256)
                .build();
    }

    /**
     * Maps a dead letter.
     *
     * @param d the rejected record
     * @return the wire record
     */
    public static DeadLetter deadLetter(DeadLetterEvent d) {
        return DeadLetters.of(
                d.topic(),
                d.partition(),
                d.offset(),
                d.payload(),
                DeadLetterReason.valueOf(d.reason()),
                d.message(),
                d.stage(),
                Instant.ofEpochMilli(d.failedAt()));
    }

    private static List<Float> floats(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
