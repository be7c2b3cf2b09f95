package io.divastream.benchmarks;

import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.dev.LocalSchemaRegistry;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.ImageEvent;
import io.divastream.schemas.Split;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.apache.avro.specific.SpecificRecord;

/**
 * The CPU cost of one record's encoding and decoding in each wire format, measured on one thread in the same program:
 * the embeddings topic's records (the job's most frequent output) and image events (its input), with a local
 * Apicurio Registry for the registry format (after the first record, its ids come from the serde's cache).
 */
final class CodecCost {

    private static final int ROUNDS = 3;

    private CodecCost() {}

    /**
     * Times {@code records} encodings and decodings per record type, format and round (after as many untimed ones)
     * and prints microseconds per record and the ratio registry / single-object.
     *
     * @param records records per timed pass
     */
    static void run(int records) {
        try (LocalSchemaRegistry registry = LocalSchemaRegistry.start()) {
            SerdeFormat registryFormat = SerdeFormat.registry(registry.apiUrl());
            Random random = new Random(7);
            System.out.println("encode + decode of one record, in microseconds (one thread; " + records
                    + " records per pass, " + ROUNDS + " rounds alternating the formats)");
            System.out.println("record          | round | single-object | registry | registry / single-object");
            compare(
                    "EmbeddingRecord",
                    EmbeddingRecord.class,
                    "cost.embeddings",
                    i -> embedding(i, random),
                    records,
                    registryFormat);
            compare("ImageEvent", ImageEvent.class, "cost.images", i -> image(i, random), records, registryFormat);
        }
    }

    private static <T extends SpecificRecord> void compare(
            String name, Class<T> type, String topic, IntFunction<T> make, int records, SerdeFormat registryFormat) {
        List<T> sample = new ArrayList<>();
        for (int i = 0; i < Math.min(records, 1_000); i++) {
            sample.add(make.apply(i));
        }
        RecordCodec<T> single = SerdeFormat.SINGLE_OBJECT.codec(type, topic);
        RecordCodec<T> withRegistry = registryFormat.codec(type, topic);
        double singleTotal = 0;
        double registryTotal = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            double s = microsPerRecord(single, sample, records);
            double r = microsPerRecord(withRegistry, sample, records);
            singleTotal += s;
            registryTotal += r;
            System.out.printf(Locale.ROOT, "%-15s | %5d | %13.2f | %8.2f | %.3f%n", name, round, s, r, r / s);
        }
        System.out.printf(
                Locale.ROOT,
                "%-15s |  mean | %13.2f | %8.2f | %.3f%n",
                name,
                singleTotal / ROUNDS,
                registryTotal / ROUNDS,
                registryTotal / singleTotal);
    }

    /** An untimed pass, then a timed one; the decoded records' ids are summed so the work cannot be skipped. */
    private static <T extends SpecificRecord> double microsPerRecord(RecordCodec<T> codec, List<T> sample, int n) {
        long checksum = 0;
        long start = 0;
        for (int pass = 0; pass < 2; pass++) {
            start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                T decoded = codec.decode(codec.encode(sample.get(i % sample.size())));
                checksum += decoded.get(0).hashCode();
            }
        }
        double micros = (System.nanoTime() - start) / 1_000.0 / n;
        if (checksum == 42) {
            System.out.print("");
        }
        return micros;
    }

    private static EmbeddingRecord embedding(int i, Random random) {
        List<Float> combined = floats(random, 128);
        Map<String, List<Float>> heads = Map.of(
                "discriminative", floats(random, 32),
                "selfsim", floats(random, 32),
                "shared", floats(random, 32),
                "intra", floats(random, 32));
        return EmbeddingRecord.newBuilder()
                .setImageId("image-" + i)
                .setLabel("class-" + (i % 100))
                .setSplit(i % 5 == 0 ? Split.EVAL : Split.TRAIN)
                .setModelVersion(3)
                .setCombined(combined)
                .setHeads(heads)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                .setModelCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setEmbeddedAt(Instant.ofEpochMilli(1_700_000_001_000L + i))
                .build();
    }

    private static ImageEvent image(int i, Random random) {
        byte[] bytes = new byte[20_000];
        random.nextBytes(bytes);
        return ImageEvent.newBuilder()
                .setImageId("image-" + i)
                .setLabel("class-" + (i % 100))
                .setContentType("image/jpeg")
                .setImage(ByteBuffer.wrap(bytes))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                .setSource("benchmark")
                .build();
    }

    private static List<Float> floats(Random random, int n) {
        List<Float> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add((float) random.nextGaussian());
        }
        return values;
    }
}
