package io.divastream.connectors.avro;

import java.io.Serializable;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one type of Avro record for one topic, in one wire format: Avro single-object encoding
 * ({@link AvroCodec}) or the Schema Registry wire format ({@link RegistryCodec}). Serializable, so that Flink
 * operators carry it; the resources a format needs (a registry client) are made on first use.
 *
 * @param <T> the generated Avro record type
 */
public interface RecordCodec<T extends SpecificRecord> extends Serializable {

    /**
     * The record type.
     *
     * @return the generated class
     */
    Class<T> type();

    /**
     * Encodes a record.
     *
     * @param record the record
     * @return its bytes in this format
     * @throws IllegalArgumentException if the record cannot be written (or its schema is refused by the registry)
     */
    byte[] encode(T record);

    /**
     * Decodes a record, written with this codec's schema or with an earlier one the reader's schema can read.
     *
     * @param bytes the message
     * @return the record
     * @throws RecordDecodingException with a one-line reason if the bytes are not such a record (a dead letter)
     * @throws RegistryUnavailableException if the registry cannot be asked (a transient failure, not the record's)
     */
    T decode(byte[] bytes);
}
