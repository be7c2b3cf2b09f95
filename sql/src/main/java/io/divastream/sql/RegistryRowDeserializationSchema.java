package io.divastream.sql;

import io.apicurio.registry.rest.client.RegistryClient;
import io.apicurio.registry.rest.client.RegistryClientFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.AvroToRowDataConverters;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Decodes one message of the Schema Registry wire format into a table row: the writer's schema by its id (fetched
 * once per id), read into the table's columns ({@link SchemaProjection}), converted by flink-avro's converters. A
 * null message (a compacted topic's tombstone) gives no row.
 */
final class RegistryRowDeserializationSchema implements DeserializationSchema<RowData> {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final RowType rowType;
    private final TypeInformation<RowData> producedType;
    private transient RegistryClient client;
    private transient Map<Integer, GenericDatumReader<GenericRecord>> readers;
    private transient AvroToRowDataConverters.AvroToRowDataConverter converter;
    private transient BinaryDecoder decoder;

    RegistryRowDeserializationSchema(String url, RowType rowType, TypeInformation<RowData> producedType) {
        this.url = Objects.requireNonNull(url, "url");
        this.rowType = Objects.requireNonNull(rowType, "rowType");
        this.producedType = Objects.requireNonNull(producedType, "producedType");
    }

    @Override
    public void open(InitializationContext context) {
        client = RegistryClientFactory.create(url);
        readers = new HashMap<>();
        converter = AvroToRowDataConverters.createRowConverter(rowType);
    }

    @Override
    public RowData deserialize(byte[] message) throws IOException {
        if (message == null) {
            return null;
        }
        if (message.length < 5 || message[0] != 0) {
            throw new IOException("not the Schema Registry wire format: " + message.length + " bytes starting with "
                    + (message.length == 0 ? "nothing" : String.format("%02x", message[0])));
        }
        int id = ByteBuffer.wrap(message, 1, 4).getInt();
        GenericDatumReader<GenericRecord> reader = readers.get(id);
        if (reader == null) {
            Schema writer;
            try (InputStream content = client.getContentById(id)) {
                writer = new Schema.Parser().parse(content);
            }
            reader = new GenericDatumReader<>(writer, SchemaProjection.of(writer, rowType));
            readers.put(id, reader);
        }
        decoder = DecoderFactory.get().binaryDecoder(message, 5, message.length - 5, decoder);
        GenericRecord record = reader.read(null, decoder);
        return (RowData) converter.convert(record);
    }

    @Override
    public boolean isEndOfStream(RowData nextElement) {
        return false;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }
}
