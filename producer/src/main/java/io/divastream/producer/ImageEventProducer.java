package io.divastream.producer;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.events.EventLimits;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.datasets.DatasetException;
import io.divastream.schemas.ImageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes labelled images as {@link ImageEvent}s: value in Avro single-object encoding, key =
 * image id (UTF-8), event time = the wall-clock time of publication, source = the dataset file
 * name. The Kafka producer is idempotent with {@code acks=all}.
 *
 * <p>An image it cannot send (a file it cannot read, an event beyond the {@link EventLimits}, a
 * record over {@code max.request.size} or one Kafka refuses) is skipped and counted ({@link
 * #skipped()}), and the next one is sent; other Kafka failures stop the run.
 *
 * <p>Events can be paced to a rate in events per second, by a schedule (event {@code i} is due
 * {@code i / rate} seconds after the first), so the average rate holds whatever each send costs.
 */
public final class ImageEventProducer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImageEventProducer.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final double eventsPerSecond;
    private final Clock clock;
    private RecordCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
    private final EventLimits limits;
    private final RecordSizeLimit recordLimit;
    private final SkippedImages skipped = new SkippedImages();

    /**
     * Creates a producer connected to Kafka.
     *
     * @param settings where Kafka is, plus extra producer properties
     * @param topic the target topic
     * @param eventsPerSecond the target rate; 0 or less means unthrottled
     */
    public ImageEventProducer(KafkaSettings settings, String topic, double eventsPerSecond) {
        this(
                new KafkaProducer<>(producerConfig(settings)),
                topic,
                eventsPerSecond,
                Clock.systemUTC(),
                EventLimits.DEFAULT,
                RecordSizeLimit.of(settings));
    }

    /**
     * Writes the events in a wire format (single-object encoding unless told otherwise).
     *
     * @param format the images topic's wire format
     * @return this producer
     */
    public ImageEventProducer inFormat(SerdeFormat format) {
        this.codec = format.codec(ImageEvent.class, topic);
        return this;
    }

    /**
     * Creates a producer around an existing Kafka producer (which it closes on {@link #close()}).
     *
     * @param producer the Kafka producer
     * @param topic the target topic
     * @param eventsPerSecond the target rate; 0 or less means unthrottled
     * @param clock gives the event time
     */
    public ImageEventProducer(Producer<byte[], byte[]> producer, String topic, double eventsPerSecond, Clock clock) {
        this(
                producer,
                topic,
                eventsPerSecond,
                clock,
                EventLimits.DEFAULT,
                new RecordSizeLimit(RecordSizeLimit.KAFKA_DEFAULT));
    }

    /**
     * Creates a producer around an existing Kafka producer (which it closes on {@link #close()}) that
     * skips the images beyond limits.
     *
     * @param producer the Kafka producer
     * @param topic the target topic
     * @param eventsPerSecond the target rate; 0 or less means unthrottled
     * @param clock gives the event time
     * @param limits the bounds on an event (the job's defaults unless told otherwise)
     * @param recordLimit the Kafka producer's {@code max.request.size}
     */
    public ImageEventProducer(
            Producer<byte[], byte[]> producer,
            String topic,
            double eventsPerSecond,
            Clock clock,
            EventLimits limits,
            RecordSizeLimit recordLimit) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        if (Double.isNaN(eventsPerSecond) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException("rate must be a finite number: " + eventsPerSecond);
        }
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = topic;
        this.eventsPerSecond = eventsPerSecond;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.recordLimit = Objects.requireNonNull(recordLimit, "recordLimit");
    }

    /**
     * The producer properties used to connect: the settings plus {@code acks=all}, {@code
     * enable.idempotence=true} and byte-array serializers.
     *
     * @param settings where Kafka is, plus extra producer properties
     * @return the producer properties
     */
    public static Properties producerConfig(KafkaSettings settings) {
        Properties properties = settings.toProperties();
        properties.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "diva-image-event-producer");
        properties.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return properties;
    }

    /**
     * Publishes all images, in list order.
     *
     * @param images the images
     * @return the number of events sent
     */
    public long publish(List<LabeledImage> images) {
        return publish(images, Long.MAX_VALUE, ProgressListener.NONE);
    }

    /**
     * Publishes the first {@code limit} images, in list order, then flushes.
     *
     * @param images the images
     * @param limit the maximum number of events, at least 0
     * @param progress told after each send
     * @return the number of events sent (acknowledged by Kafka when this returns); skipped images are
     *     counted in {@link #skipped()}
     * @throws IllegalStateException if Kafka failed or the thread was interrupted
     */
    public long publish(List<LabeledImage> images, long limit, ProgressListener progress) {
        return send(images, Function.identity(), limit, progress);
    }

    /**
     * Publishes the first {@code limit} dataset images, in list order, reading each image's bytes
     * just before it is sent (so the dataset need not fit in memory), then flushes.
     *
     * @param images the images with their labels
     * @param limit the maximum number of events, at least 0
     * @param progress told after each send
     * @return the number of events sent (acknowledged by Kafka when this returns)
     * @throws IllegalStateException if Kafka failed or the thread was interrupted
     */
    public long publishSources(List<LabeledSource> images, long limit, ProgressListener progress) {
        return send(images, source -> source.read(limits.image().maxEncodedBytes()), limit, progress);
    }

    private <T> long send(List<T> items, Function<T, LabeledImage> toImage, long limit, ProgressListener progress) {
        Objects.requireNonNull(items, "images");
        Objects.requireNonNull(progress, "progress");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        long total = Math.min(limit, items.size());
        RatePacer pacer = RatePacer.systemClock(eventsPerSecond);
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong refused = new AtomicLong();
        long sent = 0;
        try {
            for (T item : items) {
                if (sent >= total) {
                    break;
                }
                throwIfFailed(failure);
                LabeledImage image;
                try {
                    image = toImage.apply(item);
                } catch (SkippedImageException e) {
                    skipped.add(e.reason(), e.getMessage());
                    continue;
                } catch (DatasetException e) {
                    skipped.add("unreadable", e.getMessage());
                    continue;
                }
                Optional<EventLimits.Violation> violation = limits.check(image.imageId(), image.label());
                if (violation.isPresent()) {
                    skipped.add(
                            violation.get().reason().name(),
                            image.imageId() + ": " + violation.get().message());
                    continue;
                }
                pacer.awaitNext();
                byte[] key = image.imageId().getBytes(StandardCharsets.UTF_8);
                byte[] value = codec.encode(toEvent(image, Instant.ofEpochMilli(clock.millis())));
                if (!recordLimit.fits(key, value)) {
                    skipped.add(
                            "over max.request.size",
                            image.imageId() + ": an event of "
                                    + RecordSizeLimit.size(key, value) + " bytes, max.request.size is "
                                    + recordLimit.maxRequestSize());
                    continue;
                }
                String id = image.imageId();
                producer.send(new ProducerRecord<>(topic, key, value), (metadata, e) -> {
                    if (e == null) {
                        return;
                    }
                    if (e instanceof RecordTooLargeException || e instanceof InvalidRecordException) {
                        refused.incrementAndGet();
                        skipped.add("refused by Kafka", id + ": " + e.getMessage());
                    } else {
                        failure.compareAndSet(null, e);
                    }
                });
                sent++;
                progress.onSent(sent, total);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted after sending " + sent + " events", e);
        }
        producer.flush();
        throwIfFailed(failure);
        sent -= refused.get();
        LOG.info("Published {} image events to {}, skipped {}", sent, topic, skipped.total());
        return sent;
    }

    /**
     * The images not sent so far, by reason (a producer goes on after each).
     *
     * @return the skipped images
     */
    public SkippedImages skipped() {
        return skipped;
    }

    /**
     * The event for an image.
     *
     * @param image the image
     * @param eventTime the event time
     * @return the Avro event
     */
    public static ImageEvent toEvent(LabeledImage image, Instant eventTime) {
        return ImageEvent.newBuilder()
                .setImageId(image.imageId())
                .setLabel(image.label())
                .setContentType(image.contentType())
                .setImage(ByteBuffer.wrap(image.bytes()))
                .setEventTime(eventTime)
                .setSource(image.source())
                .build();
    }

    private void throwIfFailed(AtomicReference<Exception> failure) {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("Kafka rejected an event for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
