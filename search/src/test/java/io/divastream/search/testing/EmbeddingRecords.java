package io.divastream.search.testing;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.Split;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Embedding records as the job writes them, for the followers' tests. */
public final class EmbeddingRecords {

    private static final AvroCodec<EmbeddingRecord> CODEC = AvroCodec.of(EmbeddingRecord.class);

    private EmbeddingRecords() {}

    /**
     * The record of image {@code img-<i>} of class {@code c<i mod 3>}, keyed by its id.
     *
     * @param topic the topic
     * @param i the image's number
     * @param vector its combined embedding
     * @param version the model version
     * @return the Kafka record
     */
    public static ProducerRecord<byte[], byte[]> record(String topic, int i, float[] vector, long version) {
        List<Float> combined = new ArrayList<>();
        for (float f : vector) {
            combined.add(f);
        }
        EmbeddingRecord e = EmbeddingRecord.newBuilder()
                .setImageId("img-" + i)
                .setLabel("c" + (i % 3))
                .setSplit(Split.EVAL)
                .setModelVersion(version)
                .setCombined(combined)
                .setHeads(Map.of())
                .setEventTime(Instant.ofEpochMilli(1))
                .setModelCreatedAt(Instant.ofEpochMilli(1))
                .setEmbeddedAt(Instant.ofEpochMilli(2))
                .build();
        return new ProducerRecord<>(topic, key(i), CODEC.encode(e));
    }

    /**
     * The key of image {@code img-<i>}.
     *
     * @param i the image's number
     * @return its UTF-8 id
     */
    public static byte[] key(int i) {
        return ("img-" + i).getBytes(StandardCharsets.UTF_8);
    }
}
