package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.jobs.events.ClassGroupScore;
import io.divastream.jobs.events.ContinualScores;
import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.EvaluationResult;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.PromotionDecision;
import io.divastream.jobs.events.Role;
import io.divastream.model.DivaHead;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.schemas.RetrievalMetrics;
import io.divastream.schemas.Split;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The internal records map to the output topics' Avro records, which encode and decode with the
 * wire codec and keep every value.
 */
class AvroMappingTest {

    private static final List<DivaHead> HEADS = List.of(DivaHead.DISCRIMINATIVE, DivaHead.SELFSIM, DivaHead.INTRA);

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> T roundTrip(T record) {
        AvroCodec<T> codec = AvroCodec.of((Class<T>) record.getClass());
        T decoded = codec.decode(codec.encode(record));
        assertThat(decoded).isEqualTo(record);
        return decoded;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    @Test
    void deadLetterKeepsBytesReasonAndCoordinates() {
        DeadLetterEvent event = new DeadLetterEvent(
                "diva.images",
                3,
                1_234_567_890_123L,
                new byte[] {1, 2, 3},
                new byte[] {(byte) 0xc3, 0x01, 0, -1},
                3,
                1_000_000,
                "UNDECODABLE_RECORD",
                "not an Avro single-object message",
                "decode-images",
                1_700_000_000_456L);

        DeadLetter wire = roundTrip(AvroMapping.deadLetter(event));

        assertThat(wire.getTopic()).isEqualTo("diva.images");
        assertThat(wire.getPartition()).isEqualTo(3);
        assertThat(wire.getOffset()).isEqualTo(1_234_567_890_123L);
        assertThat(bytes(wire.getKey())).containsExactly(1, 2, 3);
        assertThat(bytes(wire.getValue())).containsExactly(0xc3, 0x01, 0, 0xff);
        assertThat(wire.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE_RECORD);
        assertThat(wire.getMessage()).isEqualTo("not an Avro single-object message");
        assertThat(wire.getStage()).isEqualTo("decode-images");
        assertThat(wire.getFailedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_456L));
        assertThat(wire.getKeyBytes()).isEqualTo(3L);
        assertThat(wire.getValueBytes())
                .as("a value cut to its first four bytes")
                .isEqualTo(1_000_000L);
    }

    @Test
    void deadLetterWithoutKeyOrValue() {
        DeadLetterEvent event = new DeadLetterEvent(
                "t", 0, 0, null, null, -1, -1, "UNDECODABLE_RECORD", "null message", "decode-images", 0);
        DeadLetter wire = roundTrip(AvroMapping.deadLetter(event));
        assertThat(wire.getKey()).isNull();
        assertThat(wire.getValue()).isNull();
    }

    @Test
    void everyDeadLetterReasonMaps() {
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            DeadLetterEvent event = new DeadLetterEvent("t", 0, 0, null, null, -1, -1, reason.name(), "m", "s", 0);
            assertThat(roundTrip(AvroMapping.deadLetter(event)).getReason()).isEqualTo(reason);
        }
        DeadLetterEvent unknown = new DeadLetterEvent("t", 0, 0, null, null, -1, -1, "NO_SUCH_REASON", "m", "s", 0);
        assertThatThrownBy(() -> AvroMapping.deadLetter(unknown)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void metricsKeepEveryScoreUnderItsEmbeddingName() {
        EvaluationResult result = new EvaluationResult(
                9,
                2_250,
                7_000,
                "query-gallery",
                300,
                15,
                120,
                new String[] {"combined", "discriminative", "selfsim"},
                new double[][] {
                    {0.5, 0.6, 0.7, 0.8, 0.4, 0.3, 0.51, 0.33, 0.2},
                    {0.45, 0.55, 0.65, 0.75, 0.35, 0.25, 0.46, 0.28, 0.15},
                    {0.1, 0.2, 0.3, 0.4, 0.05, 0.0, 0.11, 0.01, 0.02}
                },
                new int[] {1, 16},
                new double[][] {{0.5, 0.9}, {0.45, 0.85}, {0.1, 0.6}},
                80,
                20,
                new double[][] {
                    {0.9, 0.91, 0.92, 0.93, 0.8, 0.7, 0.9, 0.75, 0.6},
                    {0.8, 0.81, 0.82, 0.83, 0.7, 0.6, 0.8, 0.65, 0.5},
                    {0.7, 0.71, 0.72, 0.73, 0.6, 0.5, 0.7, 0.55, 0.4}
                },
                new double[][] {{0.9, 1.0}, {0.8, 0.99}, {0.7, 0.98}},
                1_700_000_000_000L,
                1_700_000_000_999L,
                ContinualScores.NONE);

        MetricsRecord wire = roundTrip(AvroMapping.metrics(result));

        assertThat(wire.getModelVersion()).isEqualTo(9);
        assertThat(wire.getTrainingStep()).isEqualTo(2_250);
        assertThat(wire.getImagesSeen()).isEqualTo(7_000);
        assertThat(wire.getEvalImages()).isEqualTo(300);
        assertThat(wire.getEvalClasses()).isEqualTo(15);
        assertThat(wire.getMode()).isEqualTo("query-gallery");
        assertThat(wire.getQueryImages()).isEqualTo(120);
        assertThat(wire.getSeenImages()).isEqualTo(80);
        assertThat(wire.getSeenClasses()).isEqualTo(20);
        assertThat(wire.getModelCreatedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(wire.getComputedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_999L));
        assertThat(wire.getMetrics().keySet()).containsExactlyInAnyOrder("combined", "discriminative", "selfsim");
        assertThat(wire.getSeen().keySet()).containsExactlyInAnyOrder("combined", "discriminative", "selfsim");
        for (int i = 0; i < result.embeddings().length; i++) {
            String name = result.embeddings()[i];
            assertThat(values(wire.getMetrics().get(name))).as(name).containsExactly(result.scores()[i]);
            assertThat(wire.getMetrics().get(name).getRecallAtK())
                    .as(name)
                    .containsExactly(entry("1", result.recallAtK()[i][0]), entry("16", result.recallAtK()[i][1]));
            assertThat(values(wire.getSeen().get(name))).as(name).containsExactly(result.seenScores()[i]);
            assertThat(wire.getSeen().get(name).getRecallAtK())
                    .containsExactly(
                            entry("1", result.seenRecallAtK()[i][0]), entry("16", result.seenRecallAtK()[i][1]));
        }
    }

    @Test
    void continualScoresMapToTheirFields() {
        double[] cross = {0.4, 0.5, 0.6, 0.7, 0.3, 0.2, 0.41, 0.22, 0.1};
        EvaluationResult result = new EvaluationResult(
                3,
                750,
                1_000,
                "leave-one-out",
                40,
                4,
                0,
                new String[] {"combined"},
                new double[][] {{0.5, 0.6, 0.7, 0.8, 0.4, 0.3, 0.51, 0.33, 0.2}},
                new int[] {1},
                new double[][] {{0.5}},
                0,
                0,
                new double[0][],
                new double[0][],
                1L,
                2L,
                new ContinualScores(
                        2,
                        cross,
                        20,
                        List.of(
                                new ClassGroupScore(0, 5, 20, 0.6, 0.3, 0.9),
                                new ClassGroupScore(1, 4, 16, 0.8, 0.5, Double.NaN))));

        MetricsRecord wire = roundTrip(AvroMapping.metrics(result));

        assertThat(wire.getServingVersion()).isEqualTo(2);
        assertThat(wire.getCrossVersion()).containsOnlyKeys("combined");
        assertThat(values(wire.getCrossVersion().get("combined"))).containsExactly(cross);
        assertThat(wire.getClassGroupSize()).isEqualTo(20);
        assertThat(wire.getClassGroups()).hasSize(2);
        var oldest = wire.getClassGroups().get(0);
        assertThat(List.of(oldest.getGroup(), oldest.getClasses(), oldest.getImages()))
                .containsExactly(0, 5, 20);
        assertThat(oldest.getRecallAt1()).isEqualTo(0.6);
        assertThat(oldest.getMapAtR()).isEqualTo(0.3);
        assertThat(oldest.getBestEarlierRecallAt1()).isEqualTo(0.9);
        assertThat(oldest.getForgetting()).isCloseTo(0.3, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(wire.getClassGroups().get(1).getBestEarlierRecallAt1()).isNaN();
        assertThat(wire.getClassGroups().get(1).getForgetting()).isZero();

        MetricsRecord none = roundTrip(AvroMapping.metrics(new EvaluationResult(
                3,
                750,
                1_000,
                "leave-one-out",
                40,
                4,
                0,
                new String[] {"combined"},
                new double[][] {{0.5, 0.6, 0.7, 0.8, 0.4, 0.3, 0.51, 0.33, 0.2}},
                new int[] {1},
                new double[][] {{0.5}},
                0,
                0,
                new double[0][],
                new double[0][],
                1L,
                2L,
                ContinualScores.NONE)));
        assertThat(none.getServingVersion()).isEqualTo(-1);
        assertThat(none.getCrossVersion()).isEmpty();
        assertThat(none.getClassGroupSize()).isZero();
        assertThat(none.getClassGroups()).isEmpty();
    }

    @Test
    void aPromotionDecisionKeepsItsFigures() {
        io.divastream.schemas.PromotionRecord wire = roundTrip(AvroMapping.promotion(new PromotionDecision(
                7,
                PromotionDecision.Kind.REFUSED,
                5,
                5,
                0.61,
                0.7,
                1_780,
                0.01,
                100,
                "recall@1 below",
                1_750,
                1_700_000_000_000L,
                "",
                true)));
        assertThat(wire.getModelVersion()).isEqualTo(7);
        assertThat(wire.getDecision()).isEqualTo(io.divastream.schemas.PromotionDecisionType.REFUSED);
        assertThat(wire.getPromotedVersion()).isEqualTo(5);
        assertThat(wire.getPreviousVersion()).isEqualTo(5);
        assertThat(wire.getCandidateRecallAt1()).isEqualTo(0.61);
        assertThat(wire.getPromotedRecallAt1()).isEqualTo(0.7);
        assertThat(wire.getImages()).isEqualTo(1_780);
        assertThat(wire.getTolerance()).isEqualTo(0.01);
        assertThat(wire.getMinImages()).isEqualTo(100);
        assertThat(wire.getReason()).isEqualTo("recall@1 below");
        assertThat(wire.getTrainingStep()).isEqualTo(1_750);
        assertThat(wire.getDecidedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(wire.getCommandId()).isEmpty();
        assertThat(wire.getPinned()).isTrue();
        // every kind maps to the symbol of its name
        for (PromotionDecision.Kind kind : PromotionDecision.Kind.values()) {
            io.divastream.schemas.PromotionRecord k = roundTrip(AvroMapping.promotion(
                    new PromotionDecision(3, kind, 3, 2, 0.5, 0.5, 10, 0.01, 1, "why", -1, 1L, "cmd-1", false)));
            assertThat(k.getDecision().name()).isEqualTo(kind.name());
            assertThat(k.getCommandId()).isEqualTo("cmd-1");
        }
        // no promoted version before: NaN, which Avro's record equality does not equate, so no round trip here
        io.divastream.schemas.PromotionRecord first = AvroMapping.promotion(new PromotionDecision(
                0, PromotionDecision.Kind.PROMOTED, 0, -1, 0.5, Double.NaN, 200, 0.01, 100, "first", 0, 1L, "", false));
        assertThat(first.getDecision()).isEqualTo(io.divastream.schemas.PromotionDecisionType.PROMOTED);
        assertThat(first.getPromotedRecallAt1()).isNaN();
    }

    private static double[] values(RetrievalMetrics m) {
        return new double[] {
            m.getRecallAt1(),
            m.getRecallAt2(),
            m.getRecallAt4(),
            m.getRecallAt8(),
            m.getNmi(),
            m.getMapAtR(),
            m.getPrecisionAt1(),
            m.getRPrecision(),
            m.getF1()
        };
    }

    @Test
    void aVersionWithoutSeenClassScoresHasAnEmptySeenMap() {
        EvaluationResult result = new EvaluationResult(
                0,
                0,
                0,
                "leave-one-out",
                2,
                2,
                0,
                new String[] {"combined"},
                new double[][] {{0, 0, 0, 0, 0.5, 0, 0, 0, 0}},
                new int[] {1},
                new double[][] {{0}},
                0,
                0,
                new double[0][],
                new double[0][],
                0,
                0,
                ContinualScores.NONE);
        MetricsRecord wire = roundTrip(AvroMapping.metrics(result));
        assertThat(wire.getSeen()).isEmpty();
        assertThat(wire.getSeenImages()).isZero();
        assertThat(wire.getMode()).isEqualTo("leave-one-out");
    }

    @Test
    void anUndefinedScoreStaysNaN() {
        EvaluationResult result = new EvaluationResult(
                0,
                0,
                0,
                "leave-one-out",
                2,
                2,
                0,
                new String[] {"combined"},
                new double[][] {{0, 0, 0, 0, Double.NaN, 0, Double.NaN, 0, Double.NaN}},
                new int[] {1},
                new double[][] {{0}},
                0,
                0,
                new double[0][],
                new double[0][],
                0,
                0,
                ContinualScores.NONE);
        AvroCodec<MetricsRecord> codec = AvroCodec.of(MetricsRecord.class);
        MetricsRecord wire = codec.decode(codec.encode(AvroMapping.metrics(result)));
        // Avro's record equality does not treat NaN as equal to itself, so check the value itself
        assertThat(wire.getMetrics().get("combined").getNmi()).isNaN();
        assertThat(wire.getMetrics().get("combined").getPrecisionAt1()).isNaN();
        assertThat(wire.getMetrics().get("combined").getF1()).isNaN();
    }

    @Test
    void modelVersionDropsUndefinedLosses() {
        ModelUpdate update = new ModelUpdate(
                3,
                750,
                2_000,
                42,
                new byte[1_000],
                250,
                "0f".repeat(32),
                new String[] {"total", "discriminative", "selfsim", "shared", "intra", "decorrelation"},
                new double[] {1.25, 0.5, 2.0, Double.NaN, 0.25, -0.125},
                1_700_000_000_321L,
                12);

        ModelVersionRecord wire = roundTrip(AvroMapping.modelVersion(update, HEADS, 16, "ab".repeat(32)));

        assertThat(wire.getModelVersion()).isEqualTo(3);
        assertThat(wire.getTrainingStep()).isEqualTo(750);
        assertThat(wire.getImagesSeen()).isEqualTo(2_000);
        assertThat(wire.getTrainClasses()).isEqualTo(42);
        assertThat(wire.getHeads()).containsExactly("discriminative", "selfsim", "intra");
        assertThat(wire.getEmbeddingDim()).isEqualTo(16);
        assertThat(wire.getParameterCount()).isEqualTo(250);
        assertThat(wire.getParameterBytes()).isEqualTo(1_000);
        assertThat(wire.getParameterSha256()).isEqualTo("0f".repeat(32));
        assertThat(wire.getLosses())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "total", 1.25,
                        "discriminative", 0.5,
                        "selfsim", 2.0,
                        "intra", 0.25,
                        "decorrelation", -0.125));
        assertThat(wire.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_321L));
        assertThat(wire.getCheckpointId()).isEqualTo(12L);
        assertThat(wire.getManifestSha256()).isEqualTo("ab".repeat(32));
    }

    @Test
    void aVersionOfNoCheckpointHasANullCheckpointId() {
        ModelUpdate update =
                new ModelUpdate(0, 0, 0, 0, new byte[4], 1, "00".repeat(32), new String[0], new double[0], 5L);
        assertThat(update.checkpointId()).isEqualTo(ModelUpdate.NO_CHECKPOINT);
        assertThat(roundTrip(AvroMapping.modelVersion(update, HEADS, 16, null)).getCheckpointId())
                .isNull();
    }

    @Test
    void embeddingKeepsTheVectorsPerHead() {
        ImageEmbedding embedding = new ImageEmbedding(
                "omniglot/Greek/character01/0394_01.png",
                "Greek/character01",
                Role.EVAL,
                5,
                1_250,
                4_000,
                1_700_000_000_000L,
                new float[] {0.5f, -0.5f, 0.5f, -0.5f, 0f, 0f},
                new float[][] {{0.6f, -0.8f}, {1f, 0f}, {0f, 1f}},
                1_600_000_000_000L,
                1_700_000_000_500L);

        EmbeddingRecord wire = roundTrip(AvroMapping.embedding(embedding, HEADS));

        assertThat(wire.getImageId()).isEqualTo(embedding.imageId());
        assertThat(wire.getLabel()).isEqualTo("Greek/character01");
        assertThat(wire.getSplit()).isEqualTo(Split.EVAL);
        assertThat(wire.getModelVersion()).isEqualTo(5);
        assertThat(wire.getCombined()).containsExactly(0.5f, -0.5f, 0.5f, -0.5f, 0f, 0f);
        assertThat(wire.getHeads().keySet()).containsExactlyInAnyOrder("discriminative", "selfsim", "intra");
        assertThat(wire.getHeads().get("discriminative")).containsExactly(0.6f, -0.8f);
        assertThat(wire.getHeads().get("selfsim")).containsExactly(1f, 0f);
        assertThat(wire.getHeads().get("intra")).containsExactly(0f, 1f);
        assertThat(wire.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_600_000_000_000L));
        assertThat(wire.getModelCreatedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(wire.getEmbeddedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_500L));

        ImageEmbedding train = new ImageEmbedding(
                "t",
                "Korean/character01",
                Role.TRAIN,
                0,
                0,
                0,
                0,
                new float[] {1f},
                new float[][] {{1f}, {1f}, {1f}},
                0,
                0);
        assertThat(roundTrip(AvroMapping.embedding(train, HEADS)).getSplit()).isEqualTo(Split.TRAIN);
    }
}
