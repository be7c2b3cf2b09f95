package io.divastream.jobs.pipeline;

import io.divastream.connectors.dlq.DeadLetters;
import io.divastream.connectors.kafka.AvroKafkaSink;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.EvaluationResult;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.PromotionDecision;
import io.divastream.model.DivaHead;
import io.divastream.model.config.NetworkSpec;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.schemas.PromotionRecord;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Where the pipeline's four outputs go.
 *
 * @param embeddings every image's latest embedding
 * @param metrics retrieval metrics per model version
 * @param modelVersions the published model versions
 * @param promotions the promotion gate's decisions
 * @param deadLetters rejected input records
 * @param deadLetterLimit the size limit of the dead-letter sink's records, which bounds the bytes of an
 *     original a dead letter keeps
 */
public record PipelineSinks(
        Sink<ImageEmbedding> embeddings,
        Sink<EvaluationResult> metrics,
        Sink<ModelUpdate> modelVersions,
        Sink<PromotionDecision> promotions,
        Sink<DeadLetterEvent> deadLetters,
        RecordSizeLimit deadLetterLimit) {

    /**
     * The Kafka sinks of the configured topics: Avro records keyed by image id (embeddings) or
     * model version (metrics, model versions); transactional if exactly-once is configured, and
     * dead letters always at-least-once. A record over the producers' {@code max.request.size} goes to
     * the dead-letter topic instead ({@code OUTPUT_TOO_LARGE}), never failing a sink.
     *
     * @param config the job configuration
     * @return the sinks
     */
    public static PipelineSinks kafka(JobConfig config) {
        JobConfig.KafkaConfig kafka = config.kafka();
        DeliveryGuarantee guarantee =
                kafka.exactlyOnce() ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE;
        NetworkSpec network = config.training().model().network();
        List<DivaHead> heads = network.heads();
        // what DivaPipeline gives the ModelArtefactSink: a model-versions record carries the SHA-256 of the
        // manifest its artefact has (AvroMapping.modelVersion), whether or not the job exports artefacts
        ArtefactShape artefacts = ArtefactShape.of(config);
        String prefix = kafka.transactionalIdPrefix();
        return new PipelineSinks(
                AvroKafkaSink.builder(EmbeddingRecord.class, (ImageEmbedding e) -> AvroMapping.embedding(e, heads))
                        .settings(kafka.settings())
                        .format(kafka.serde())
                        .topic(kafka.embeddingsTopic())
                        .keyExtractor(ImageEmbedding::imageId)
                        .deliveryGuarantee(guarantee)
                        .transactionalIdPrefix(prefix + "-embeddings")
                        .oversize(DeadLetters.redirectTo(kafka.deadLettersTopic(), kafka.serde()))
                        .build(),
                AvroKafkaSink.builder(MetricsRecord.class, AvroMapping::metrics)
                        .settings(kafka.settings())
                        .format(kafka.serde())
                        .topic(kafka.metricsTopic())
                        .keyExtractor((EvaluationResult r) -> Long.toString(r.modelVersion()))
                        .deliveryGuarantee(guarantee)
                        .transactionalIdPrefix(prefix + "-metrics")
                        .oversize(DeadLetters.redirectTo(kafka.deadLettersTopic(), kafka.serde()))
                        .build(),
                AvroKafkaSink.builder(
                                ModelVersionRecord.class, (ModelUpdate m) -> AvroMapping.modelVersion(m, artefacts))
                        .settings(kafka.settings())
                        .format(kafka.serde())
                        .topic(kafka.modelVersionsTopic())
                        .keyExtractor((ModelUpdate m) -> Long.toString(m.version()))
                        .deliveryGuarantee(guarantee)
                        .transactionalIdPrefix(prefix + "-model-versions")
                        .oversize(DeadLetters.redirectTo(kafka.deadLettersTopic(), kafka.serde()))
                        .build(),
                AvroKafkaSink.builder(PromotionRecord.class, AvroMapping::promotion)
                        .settings(kafka.settings())
                        .format(kafka.serde())
                        .topic(kafka.promotionsTopic())
                        .keyExtractor((PromotionDecision d) -> Long.toString(d.modelVersion()))
                        .deliveryGuarantee(guarantee)
                        .transactionalIdPrefix(prefix + "-promotions")
                        .oversize(DeadLetters.redirectTo(kafka.deadLettersTopic(), kafka.serde()))
                        .build(),
                AvroKafkaSink.builder(DeadLetter.class, AvroMapping::deadLetter)
                        .settings(kafka.settings())
                        .format(kafka.serde())
                        .topic(kafka.deadLettersTopic())
                        .keyExtractor((DeadLetterEvent d) -> d.topic() + "-" + d.partition() + "@" + d.offset())
                        .deliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .build(),
                RecordSizeLimit.of(kafka.settings()));
    }
}
