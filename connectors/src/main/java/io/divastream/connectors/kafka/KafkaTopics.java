package io.divastream.connectors.kafka;

import java.util.List;

/** Names of the Kafka topics of the DiVA Stream pipeline. */
public final class KafkaTopics {
    /** Labelled input images ({@code ImageEvent}), keyed by image id. */
    public static final String IMAGES = "diva.images";

    /** Latest embedding per image ({@code EmbeddingRecord}), compacted, keyed by image id. */
    public static final String EMBEDDINGS = "diva.embeddings";

    /** Evaluation metrics per model version ({@code MetricsRecord}). */
    public static final String METRICS = "diva.metrics";

    /** Published model versions ({@code ModelVersionRecord}). */
    public static final String MODEL_VERSIONS = "diva.model-versions";

    /** Which version serves ({@code PromotionRecord}): the gate's and operators' decisions, keyed by model version. */
    public static final String PROMOTIONS = "diva.promotions";

    /** Operators' commands on which version serves ({@code PromotionCommand}): pin, unpin, roll back. */
    public static final String PROMOTION_COMMANDS = "diva.promotion-commands";

    /** Input records the pipeline could not use ({@code DeadLetter}). */
    public static final String DEAD_LETTERS = "diva.images.dlq";

    /** All pipeline topics, in a stable order. */
    public static final List<String> ALL =
            List.of(IMAGES, EMBEDDINGS, METRICS, MODEL_VERSIONS, PROMOTIONS, PROMOTION_COMMANDS, DEAD_LETTERS);

    private KafkaTopics() {}
}
