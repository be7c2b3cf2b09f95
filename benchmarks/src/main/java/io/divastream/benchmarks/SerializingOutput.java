package io.divastream.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongConsumer;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * The output of an operator driven in Flink's test harness in a benchmark: every record is serialized with its
 * type's Flink serializer (as a network edge would) into a buffer that is then reset, and counted; nothing is
 * kept, so a run of 100,000 embeddings holds no memory. Side-output records are counted apart and dropped. After
 * each record a listener gets the running count (the benchmarks take the time of the last record there, and
 * keep the harness's clock at the wall clock). Used by one thread.
 *
 * @param <T> the record type
 */
final class SerializingOutput<T> implements Output<StreamRecord<T>> {

    private final TypeSerializer<T> serializer;
    private final DataOutputSerializer buffer = new DataOutputSerializer(64 * 1024);
    private final LongConsumer listener;
    private long records;
    private long bytes;
    private long sideRecords;

    /**
     * Creates the output.
     *
     * @param type the records' type (its serializer is the one Flink would use, generic types allowed)
     * @param listener called after each record with the number of records so far
     */
    SerializingOutput(Class<T> type, LongConsumer listener) {
        this.serializer = TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
        this.listener = listener;
    }

    @Override
    public void collect(StreamRecord<T> record) {
        try {
            serializer.serialize(record.getValue(), buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bytes += buffer.length();
        buffer.clear();
        records++;
        listener.accept(records);
    }

    @Override
    public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
        sideRecords++;
    }

    /**
     * Returns the records collected so far.
     *
     * @return the count
     */
    long records() {
        return records;
    }

    /**
     * Returns the serialized size of the records collected so far.
     *
     * @return bytes
     */
    long bytes() {
        return bytes;
    }

    /**
     * Returns the side-output records (dead letters) so far.
     *
     * @return the count
     */
    long sideRecords() {
        return sideRecords;
    }

    @Override
    public void emitWatermark(Watermark mark) {}

    @Override
    public void emitWatermarkStatus(WatermarkStatus status) {}

    @Override
    public void emitLatencyMarker(LatencyMarker marker) {}

    @Override
    public void emitRecordAttributes(RecordAttributes attributes) {}

    @Override
    public void emitWatermark(WatermarkEvent event) {}

    @Override
    public void close() {}
}
