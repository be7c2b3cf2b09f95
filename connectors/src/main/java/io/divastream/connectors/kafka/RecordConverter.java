package io.divastream.connectors.kafka;

import java.io.Serializable;
import java.util.function.Function;

/**
 * Converts a stream element into the Avro record written to Kafka; serializable so that Flink can
 * ship it with the sink.
 *
 * @param <IN> the stream element type
 * @param <T> the Avro record type
 */
@FunctionalInterface
public interface RecordConverter<IN, T> extends Function<IN, T>, Serializable {}
