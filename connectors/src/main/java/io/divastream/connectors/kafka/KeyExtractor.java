package io.divastream.connectors.kafka;

import java.io.Serializable;
import java.util.function.Function;

/**
 * A serializable function giving the Kafka key of a record (encoded as UTF-8); null means no key.
 *
 * @param <T> the record type
 */
@FunctionalInterface
public interface KeyExtractor<T> extends Function<T, String>, Serializable {}
