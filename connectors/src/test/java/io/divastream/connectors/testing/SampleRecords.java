package io.divastream.connectors.testing;

import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.ImageEvent;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.schemas.RetrievalMetrics;
import io.divastream.schemas.Split;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One filled-in instance of every wire type, for codec and sink tests. */
public final class SampleRecords {

    private static final Instant T0 = Instant.ofEpochMilli(1_764_000_000_123L);

    private SampleRecords() {}

    /**
     * An image event.
     *
     * @param imageId the image id (also the key)
     * @param label the class label
     * @return the event
     */
    public static ImageEvent imageEvent(String imageId, String label) {
        return ImageEvent.newBuilder()
                .setImageId(imageId)
                .setLabel(label)
                .setContentType("image/png")
                .setImage(ByteBuffer.wrap(("png:" + imageId).getBytes(StandardCharsets.UTF_8)))
                .setEventTime(T0)
                .setSource("images_background_small1.zip")
                .build();
    }

    /**
     * An embedding record with two heads.
     *
     * @return the record
     */
    public static EmbeddingRecord embeddingRecord() {
        return EmbeddingRecord.newBuilder()
                .setImageId("omniglot/Greek/character01/0394_01.png")
                .setLabel("Greek/character01")
                .setSplit(Split.EVAL)
                .setModelVersion(7)
                .setCombined(List.of(0.6f, 0.8f, 0f))
                .setHeads(Map.of("discriminative", List.of(1f, 0f), "selfsim", List.of(0f, -1f)))
                .setEventTime(T0)
                .setModelCreatedAt(T0.plusSeconds(1))
                .setEmbeddedAt(T0.plusSeconds(2))
                .build();
    }

    /**
     * Retrieval metrics.
     *
     * @return the metrics
     */
    public static RetrievalMetrics retrievalMetrics() {
        return RetrievalMetrics.newBuilder()
                .setRecallAt1(0.5)
                .setRecallAt2(0.625)
                .setRecallAt4(0.75)
                .setRecallAt8(0.875)
                .setNmi(0.4)
                .setMapAtR(0.25)
                .build();
    }

    /**
     * A metrics record with one embedding's metrics.
     *
     * @return the record
     */
    public static MetricsRecord metricsRecord() {
        return MetricsRecord.newBuilder()
                .setModelVersion(7)
                .setTrainingStep(700)
                .setImagesSeen(3060)
                .setEvalImages(1780)
                .setEvalClasses(89)
                .setMetrics(Map.of("combined", retrievalMetrics()))
                .setModelCreatedAt(T0)
                .setComputedAt(T0.plusSeconds(3))
                .build();
    }

    /**
     * A model version record.
     *
     * @return the record
     */
    public static ModelVersionRecord modelVersionRecord() {
        return ModelVersionRecord.newBuilder()
                .setModelVersion(7)
                .setTrainingStep(700)
                .setImagesSeen(3060)
                .setTrainClasses(153)
                .setHeads(List.of("discriminative", "selfsim", "shared", "intra"))
                .setEmbeddingDim(32)
                .setParameterCount(123_456)
                .setParameterBytes(493_824)
                .setParameterSha256("ab".repeat(32))
                .setLosses(Map.of("total", 1.25, "discriminative", 0.5))
                .setCreatedAt(T0)
                .build();
    }

    /**
     * A dead letter.
     *
     * @return the record
     */
    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setTopic("diva.images")
                .setPartition(0)
                .setOffset(42)
                .setKey(ByteBuffer.wrap(new byte[] {1, 2}))
                .setValue(null)
                .setReason(DeadLetterReason.UNDECODABLE_RECORD)
                .setMessage("not an Avro single-object message")
                .setStage("decode")
                .setFailedAt(T0)
                .build();
    }

    /**
     * One instance of every record type of {@code io.divastream.schemas}.
     *
     * @return the records
     */
    public static List<SpecificRecord> all() {
        return List.of(
                imageEvent("omniglot/Korean/character07/0512_03.png", "Korean/character07"),
                embeddingRecord(),
                retrievalMetrics(),
                metricsRecord(),
                modelVersionRecord(),
                deadLetter());
    }
}
