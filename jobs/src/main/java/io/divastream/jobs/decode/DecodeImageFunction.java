package io.divastream.jobs.decode;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.RecordDecodingException;
import io.divastream.connectors.dlq.DeadLetters;
import io.divastream.connectors.events.EventLimits;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.images.ImageSpec;
import io.divastream.images.InvalidImageException;
import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.Role;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.ImageEvent;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns raw Kafka records into validated {@link ImageSample}s: decodes the Avro image event, checks
 * its id and label against the {@link EventLimits}, decodes and resizes the image within its {@link
 * io.divastream.images.ImageLimits}, and routes the label to training or evaluation. Anything
 * that fails goes to the {@link #DEAD_LETTERS} side output with its reason and the original bytes (or
 * their first bytes, so that the dead letter fits a Kafka record), and is counted; the function never
 * throws on bad input.
 *
 * <p>Metrics: {@code numImagesDecoded} and {@code numImagesDecodedPerSecond}, and a counter per
 * rejection reason in the {@value #DEAD_LETTER_GROUP} group ({@code deadLetters.EMPTY_LABEL}, ...).
 */
public final class DecodeImageFunction extends ProcessFunction<RawRecord, ImageSample> {

    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeImageFunction.class);

    /** Side output of rejected records. */
    public static final OutputTag<DeadLetterEvent> DEAD_LETTERS = new OutputTag<>("dead-letters") {
        private static final long serialVersionUID = 1L;
    };

    /** Name of the stage in dead letters. */
    public static final String STAGE = "decode-images";

    /** Name of the metric group of the dead-letter counters, one counter per reason. */
    public static final String DEAD_LETTER_GROUP = "deadLetters";

    /** The reasons this stage rejects records for (a full catalogue and a changed label are the embedder's). */
    public static final Set<DeadLetterReason> REASONS = EnumSet.of(
            DeadLetterReason.UNDECODABLE_RECORD,
            DeadLetterReason.EMPTY_IMAGE_ID,
            DeadLetterReason.IMAGE_ID_TOO_LONG,
            DeadLetterReason.EMPTY_LABEL,
            DeadLetterReason.LABEL_TOO_LONG,
            DeadLetterReason.UNDECODABLE_IMAGE,
            DeadLetterReason.INVALID_IMAGE);

    private static final byte[] NO_PIXELS = new byte[0];

    private final SampleDecoding decoding;
    private final LabelRouter router;
    private final EventLimits limits;
    private final int deadLetterValueBytes;
    private final boolean trainingReader;
    private final int niceness;
    private RecordCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
    private transient Counter skipped;
    private transient SampleDecoding.Decoder decoder;
    private transient Counter decoded;
    private transient Map<DeadLetterReason, Counter> rejected;

    /**
     * Creates the function of the embedding branch, which reports dead letters.
     *
     * @param imageSpec the model input size
     * @param router the train / eval routing
     * @param limits the bounds on an event
     * @param deadLetterLimit the dead-letter producer's record size limit (bounds the bytes kept)
     */
    public DecodeImageFunction(
            ImageSpec imageSpec, LabelRouter router, EventLimits limits, RecordSizeLimit deadLetterLimit) {
        this(new SampleDecoding.Glyphs(imageSpec), router, limits, deadLetterLimit);
    }

    /**
     * Creates the function of the embedding branch, which reports dead letters.
     *
     * @param decoding how an image becomes a sample's payload
     * @param router the train / eval routing
     * @param limits the bounds on an event
     * @param deadLetterLimit the dead-letter producer's record size limit (bounds the bytes kept)
     */
    public DecodeImageFunction(
            SampleDecoding decoding, LabelRouter router, EventLimits limits, RecordSizeLimit deadLetterLimit) {
        this(decoding, router, limits, DeadLetters.maxValueBytes(deadLetterLimit), false, 0);
    }

    private DecodeImageFunction(
            SampleDecoding decoding,
            LabelRouter router,
            EventLimits limits,
            int deadLetterValueBytes,
            boolean trainingReader,
            int niceness) {
        this.decoding = Objects.requireNonNull(decoding, "decoding");
        this.router = Objects.requireNonNull(router, "router");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.deadLetterValueBytes = deadLetterValueBytes;
        this.trainingReader = trainingReader;
        this.niceness = niceness;
    }

    /**
     * The decoder of the training branch's own reader: it decodes the pixels of training images only;
     * an event of an evaluation label passes without pixels (role {@link Role#EVAL}, for the image id's
     * first label, {@link FirstLabelFilter}). Bad records are dropped without a dead letter and counted
     * in {@code numRecordsSkipped}: the embedding branch reads the same records and reports each bad one
     * once.
     *
     * @param imageSpec the model input size
     * @param router the train / eval routing
     * @param limits the bounds on an event
     * @return the function
     */
    public static DecodeImageFunction trainingReader(ImageSpec imageSpec, LabelRouter router, EventLimits limits) {
        return trainingReader(new SampleDecoding.Glyphs(imageSpec), router, limits, 0);
    }

    /**
     * The decoder of the training branch's own reader (see {@link #trainingReader(ImageSpec, LabelRouter,
     * EventLimits)}), with any decoding: photos get their training views' features here.
     *
     * @param decoding how an image becomes a sample's payload
     * @param router the train / eval routing
     * @param limits the bounds on an event
     * @param niceness the Linux niceness its task thread takes when it opens (0: unchanged), so that on short cores
     *     the embedding path goes first ({@code source.training-reader-niceness})
     * @return the function
     */
    public static DecodeImageFunction trainingReader(
            SampleDecoding decoding, LabelRouter router, EventLimits limits, int niceness) {
        return new DecodeImageFunction(decoding, router, limits, 0, true, niceness);
    }

    /**
     * Reads the events in another wire format than single-object encoding ({@code serde.format}).
     *
     * @param eventCodec the codec of the image events on their topic
     * @return this function
     */
    public DecodeImageFunction reading(RecordCodec<ImageEvent> eventCodec) {
        this.codec = Objects.requireNonNull(eventCodec, "eventCodec");
        return this;
    }

    @Override
    public void open(OpenContext openContext) {
        decoder = decoding.open(limits.image());
        decoded = getRuntimeContext().getMetricGroup().counter("numImagesDecoded");
        getRuntimeContext().getMetricGroup().meter("numImagesDecodedPerSecond", new MeterView(decoded));
        rejected = new EnumMap<>(DeadLetterReason.class);
        if (trainingReader) {
            skipped = getRuntimeContext().getMetricGroup().counter("numRecordsSkipped");
            if (niceness > 0) {
                LOG.info("training reader's task thread: niceness {}", ThreadNiceness.atLeast(niceness));
            }
            return;
        }
        var deadLetters = getRuntimeContext().getMetricGroup().addGroup(DEAD_LETTER_GROUP);
        for (DeadLetterReason reason : REASONS) {
            rejected.put(reason, deadLetters.counter(reason.name()));
        }
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<ImageSample> out) {
        ImageEvent event;
        try {
            event = codec.decode(record.value());
        } catch (RecordDecodingException e) {
            reject(record, DeadLetterReason.UNDECODABLE_RECORD, e.getMessage(), ctx);
            return;
        }
        Optional<EventLimits.Violation> violation = limits.check(event.getImageId(), event.getLabel());
        if (violation.isPresent()) {
            reject(record, violation.get().reason(), violation.get().message(), ctx);
            return;
        }
        Role role = router.route(event.getLabel());
        long eventTime = event.getEventTime().toEpochMilli();
        if (trainingReader && role != Role.TRAIN) {
            out.collect(new ImageSample(event.getImageId(), event.getLabel(), role, NO_PIXELS, eventTime));
            return;
        }
        byte[] payload;
        try {
            payload = decoder.decode(event.getImageId(), toArray(event.getImage()), trainingReader);
        } catch (InvalidImageException e) {
            DeadLetterReason reason = e.reason() == InvalidImageException.Reason.UNDECODABLE
                    ? DeadLetterReason.UNDECODABLE_IMAGE
                    : DeadLetterReason.INVALID_IMAGE;
            reject(record, reason, "image " + event.getImageId() + ": " + e.getMessage(), ctx);
            return;
        }
        decoded.inc();
        out.collect(new ImageSample(event.getImageId(), event.getLabel(), role, payload, eventTime));
    }

    @Override
    public void close() throws Exception {
        try {
            if (decoder != null) {
                decoder.close();
            }
        } finally {
            super.close();
        }
    }

    private void reject(RawRecord record, DeadLetterReason reason, String message, Context ctx) {
        if (trainingReader) {
            skipped.inc();
            return;
        }
        rejected.get(reason).inc();
        LOG.debug("dead letter {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        ctx.output(DEAD_LETTERS, DeadLetterEvent.of(record, reason, message, STAGE, deadLetterValueBytes));
    }

    private static byte[] toArray(java.nio.ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        java.nio.ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
