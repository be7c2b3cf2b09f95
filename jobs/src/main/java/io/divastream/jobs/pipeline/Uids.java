package io.divastream.jobs.pipeline;

/**
 * Stable ids (and names) of every stateful operator and sink, so that savepoints keep mapping to
 * them as the job evolves.
 */
public final class Uids {

    /** The Kafka source of image events. */
    public static final String IMAGE_SOURCE = "image-events-source";
    /** Avro and image decoding, validation and routing. */
    public static final String DECODE = "decode-images";
    /**
     * Keyed by image id: each id's first label; only training images with it go on to the batcher. (It
     * replaced a stateless filter, {@code training-images}, which savepoints hold no state for.)
     */
    public static final String TRAINING_LABELS = "training-labels";

    /** The training branch's own reader of the image events. */
    public static final String TRAINING_SOURCE = "training-image-events-source";

    /** The training branch's decoder (its dead letters are the embedding branch's too, so it drops them). */
    public static final String TRAINING_DECODE = "decode-training-images";
    /** The class-balanced batch assembly, keyed by class. */
    public static final String BATCHER = "class-balanced-batches";
    /** Numbers the trainer's versions and operators' rollbacks. */
    public static final String VERSION_PUBLISHER = "version-publisher";
    /** Source of operators' promotion commands. */
    public static final String COMMAND_SOURCE = "promotion-commands-source";
    /** Decoder of operators' promotion commands. */
    public static final String COMMAND_DECODE = "decode-promotion-commands";
    /** The DiVA trainer. */
    public static final String TRAINER = "diva-trainer";
    /** Embedding of every image with the latest model. */
    public static final String EMBEDDER = "embed-images";
    /** Only evaluation embeddings go on to the metrics. */
    public static final String EVAL_FILTER = "evaluation-embeddings";
    /** Retrieval metrics per model version. */
    public static final String METRICS = "retrieval-metrics";
    /** Sink of embeddings. */
    public static final String EMBEDDINGS_SINK = "embeddings-sink";
    /** Sink of metrics records. */
    public static final String METRICS_SINK = "metrics-sink";
    /** Sink of the promotion gate's decisions. */
    public static final String PROMOTIONS_SINK = "promotions-sink";
    /** Sink of model-version records. */
    public static final String MODEL_VERSIONS_SINK = "model-versions-sink";
    /** Writer of model artefacts (only with {@code --export.dir}). */
    public static final String MODEL_ARTEFACTS_SINK = "model-artefacts-sink";
    /** The promoted version in the export directory. */
    public static final String PROMOTED_MARKER_SINK = "promoted-marker-sink";
    /** Sink of dead letters. */
    public static final String DEAD_LETTERS_SINK = "dead-letters-sink";

    private Uids() {}
}
