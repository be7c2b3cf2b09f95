package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.dlq.DeadLetters;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.connectors.kafka.TopicSpec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.dev.LocalCluster;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.testing.HostileInputs;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.MetricsRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's hostile-input suite (issue 13): the real job on a MiniCluster against the in-process broker
 * streams clean Omniglot images, then every input of {@link HostileInputs} (the poison label and the
 * poison dead letter that once stopped the job for good, decompression bombs, label changes, and the
 * inputs contained before), then more clean images. Each hostile input ends as its dead letter (within
 * a Kafka record) or as an embedding like any image; the job never fails or restarts, keeps completing
 * checkpoints after the hostile inputs, trains on the images after them and publishes their metrics.
 * The peak heap is printed for docs/operations.md.
 */
class HostileInputIT {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @TempDir
    Path checkpoints;

    @Test
    void noHostileInputStopsTheJobAndEachHasItsOutcome() throws Exception {
        JobConfig config = PipelineFixture.deterministicRun(KAFKA, "hostile", checkpoints, 3);
        List<TopicSpec> topics = new ArrayList<>();
        for (TopicSpec t : config.kafka().singleBrokerTopics(1)) {
            // the images topic takes events of up to 16 MiB, so a 12 MiB image reaches the job
            topics.add(
                    t.name().equals(config.kafka().imagesTopic())
                            ? t.withConfig("max.message.bytes", "16777216").withConfig("segment.bytes", "67108864")
                            : t);
        }
        TopicAdmin.ensureTopics(KAFKA.settings(), topics);
        List<LabeledImage> images = InterleavedOrder.of(OmniglotSample.of(12, 4, 6), 5);
        List<LabeledImage> before = images.subList(0, images.size() / 2);
        List<LabeledImage> after = images.subList(images.size() / 2, images.size());
        LabeledImage trained = before.stream()
                .filter(i -> !OmniglotSample.isEval(i.label()))
                .findFirst()
                .orElseThrow();
        String otherTrainLabel = images.stream()
                .map(LabeledImage::label)
                .filter(l -> !OmniglotSample.isEval(l) && !l.equals(trained.label()))
                .findFirst()
                .orElseThrow();
        String evalLabel = images.stream()
                .map(LabeledImage::label)
                .filter(OmniglotSample::isEval)
                .findFirst()
                .orElseThrow();
        List<HostileInputs.Input> hostile = HostileInputs.all(
                config.kafka().imagesTopic(),
                trained.imageId(),
                trained.bytes(),
                trained.label(),
                otherTrainLabel,
                evalLabel);

        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        Configuration conf =
                DivaEnvironment.localCluster(DivaEnvironment.configuration(config.runtime()), "127.0.0.1", 0);
        try (LocalCluster cluster = LocalCluster.run(
                conf, config.runtime().parallelism(), DivaPipeline.kafkaJob(config, conf), "hostile-input-it")) {

            PipelineFixture.publishInOrder(KAFKA, config, before);
            publish(hostile);
            PipelineFixture.publishInOrder(KAFKA, config, after);

            Map<String, Long> expected = hostile.stream()
                    .filter(i -> i.outcome() == HostileInputs.Outcome.DEAD_LETTER)
                    .collect(Collectors.groupingBy(i -> i.deadLetterKey() + "|" + i.reason(), Collectors.counting()));
            Map<String, List<DeadLetter>> letters = new HashMap<>();
            await(
                    () -> "every hostile input's dead letter; have " + letters.keySet() + ", expected "
                            + expected.keySet(),
                    () -> {
                        letters.clear();
                        letters.putAll(deadLetters(config));
                        return expected.entrySet().stream()
                                .allMatch(e -> letters.getOrDefault(e.getKey(), List.of())
                                                .size()
                                        >= e.getValue());
                    },
                    cluster);
            long checkpointsAfter = cluster.completedCheckpoints();
            long trainSteps = PipelineFixture.batchesFor(before, config.batching());
            List<MetricsRecord> metrics = new ArrayList<>();
            await(
                    () -> "metrics of a model trained on the images after the hostile inputs (last step "
                            + metrics.stream()
                                    .mapToLong(MetricsRecord::getTrainingStep)
                                    .max()
                                    .orElse(-1) + ", need over "
                            + trainSteps + "), and two more checkpoints",
                    () -> {
                        metrics.clear();
                        metrics.addAll(readAll(config.kafka().metricsTopic(), MetricsRecord.class));
                        return metrics.stream().anyMatch(m -> m.getTrainingStep() > trainSteps)
                                && cluster.completedCheckpoints() >= checkpointsAfter + 2;
                    },
                    cluster);
            Set<String> embedded = readAll(config.kafka().embeddingsTopic(), EmbeddingRecord.class).stream()
                    .map(EmbeddingRecord::getImageId)
                    .collect(Collectors.toSet());

            assertThat(cluster.failure()).as("the job never failed").isEmpty();
            assertThat(cluster.status()).isEqualTo(JobStatus.RUNNING);
            RecordSizeLimit limit = new RecordSizeLimit(RecordSizeLimit.KAFKA_DEFAULT);
            for (HostileInputs.Input input : hostile) {
                if (input.outcome() == HostileInputs.Outcome.EMBEDDED) {
                    assertThat(embedded).as(input.name()).contains(input.imageId());
                    continue;
                }
                DeadLetter letter = letters.get(input.deadLetterKey() + "|" + input.reason())
                        .get(0);
                assertThat(letter.getMessage())
                        .as(input.name())
                        .isNotBlank()
                        .doesNotContain("\n")
                        .hasSizeLessThanOrEqualTo(DeadLetters.MAX_MESSAGE_CHARS);
                byte[] value = input.record().value();
                if (input.reason() != io.divastream.schemas.DeadLetterReason.LABEL_CHANGED) {
                    assertThat(letter.getValueBytes()).as(input.name()).isEqualTo(value == null ? -1 : value.length);
                    assertThat(AvroCodec.of(DeadLetter.class).encode(letter).length)
                            .as(input.name() + " fits a record")
                            .isLessThan(limit.maxRequestSize());
                }
            }
            assertThat(embedded)
                    .as("the images after the hostile inputs were embedded")
                    .containsAll(after.stream().map(LabeledImage::imageId).toList());
            System.out.printf(
                    "HostileInputIT: %d hostile inputs, %d dead letters, peak heap %d MiB%n",
                    hostile.size(),
                    letters.values().stream().mapToInt(List::size).sum(),
                    peakHeapMiB());
            cluster.cancel();
        }
    }

    private static void publish(List<HostileInputs.Input> inputs) {
        Properties props = io.divastream.producer.ImageEventProducer.producerConfig(KAFKA.settings());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(64 << 20));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (HostileInputs.Input input : inputs) {
                sent.add(producer.send(input.record()));
            }
            producer.flush();
            for (int i = 0; i < sent.size(); i++) {
                try {
                    sent.get(i).get();
                } catch (Exception e) {
                    throw new AssertionError(
                            "the broker refused the hostile input "
                                    + inputs.get(i).name(),
                            e);
                }
            }
        }
    }

    /** Dead letters by "key|reason". */
    private static Map<String, List<DeadLetter>> deadLetters(JobConfig config) {
        Map<String, List<DeadLetter>> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().deadLettersTopic(), 0, Duration.ofSeconds(3))) {
            DeadLetter d = AvroCodec.of(DeadLetter.class).decode(r.value());
            byte[] key = new byte[d.getKey() == null ? 0 : d.getKey().remaining()];
            if (d.getKey() != null) {
                d.getKey().duplicate().get(key);
            }
            out.computeIfAbsent(new String(key, StandardCharsets.UTF_8) + "|" + d.getReason(), k -> new ArrayList<>())
                    .add(d);
        }
        return out;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(String topic, Class<T> type) {
        AvroCodec<T> codec = AvroCodec.of(type);
        return KAFKA.readAll(topic, 0, Duration.ofSeconds(3)).stream()
                .map(r -> codec.decode(r.value()))
                .toList();
    }

    /** A condition waited for. */
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(java.util.function.Supplier<String> what, Condition done, LocalCluster cluster)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!done.holds()) {
            assertThat(cluster.failure())
                    .as("the job failed while waiting for " + what.get())
                    .isEmpty();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.sleep(1000);
        }
    }

    private static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
