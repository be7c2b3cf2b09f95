package io.divastream.connectors.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.divastream.connectors.testing.LocalRegistryExtension;
import io.divastream.schemas.ImageEvent;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Schema Registry wire format against a real Apicurio Registry. */
class RegistryCodecTest {

    @RegisterExtension
    static final LocalRegistryExtension REGISTRY = new LocalRegistryExtension();

    private static ImageEvent event(String id) {
        return ImageEvent.newBuilder()
                .setImageId(id)
                .setLabel("Korean/character07")
                .setContentType("image/png")
                .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setSource("test")
                .build();
    }

    @Test
    void writesTheConfluentWireFormatThatAnyRegistryClientReads() {
        RecordCodec<ImageEvent> codec = REGISTRY.format().codec(ImageEvent.class, "wire.images");

        byte[] bytes = codec.encode(event("a"));

        assertThat(bytes[0]).isEqualTo(RegistryCodec.MAGIC);
        int id = RegistryCodec.schemaId(bytes);
        var bySchemaId = REGISTRY.confluent("GET", "/schemas/ids/" + id, null);
        assertThat(bySchemaId.statusCode()).isEqualTo(200);
        assertThat(bySchemaId.body()).contains("ImageEvent");
        assertThat(REGISTRY.confluent("GET", "/subjects", null).body()).contains("wire.images-value");
        assertThat(codec.decode(bytes)).isEqualTo(event("a"));
        // the id is cached: the second record has the same header and needs no registration
        assertThat(RegistryCodec.schemaId(codec.encode(event("b")))).isEqualTo(id);
        try (AvroKafkaDeserializer<GenericRecord> plain = new AvroKafkaDeserializer<>()) {
            plain.configure(REGISTRY.plainSerdeSettings(), false);
            GenericRecord generic = plain.deserialize("wire.images", bytes);
            assertThat(generic.get("imageId").toString()).isEqualTo("a");
            assertThat(generic.getSchema().getFullName()).isEqualTo("io.divastream.schemas.ImageEvent");
        }
    }

    @Test
    void anOlderRegisteredEventWithOneFieldFewerIsReadWithTheDefault() {
        Schema older = LocalRegistryExtension.olderImageEventSchema();
        GenericRecord record = new GenericData.Record(older);
        record.put("imageId", "old-1");
        record.put("label", "cls");
        record.put("contentType", "image/png");
        record.put("image", ByteBuffer.wrap(new byte[] {9}));
        record.put("eventTime", 5L);
        byte[] bytes;
        try (AvroKafkaSerializer<GenericRecord> producer = new AvroKafkaSerializer<>()) {
            producer.configure(REGISTRY.plainSerdeSettings(), false);
            bytes = producer.serialize("older.images", record);
        }

        ImageEvent read =
                REGISTRY.format().codec(ImageEvent.class, "older.images").decode(bytes);

        assertThat(read.getImageId()).isEqualTo("old-1");
        assertThat(read.getSource()).isEmpty();
        assertThat(read.getEventTime()).isEqualTo(Instant.ofEpochMilli(5));
    }

    @Test
    void theRegistryRefusesAnIncompatibleSchemaAndARecordWrittenWithOneAnywayIsADeadLetter() {
        RecordCodec<ImageEvent> codec = REGISTRY.format().codec(ImageEvent.class, "strict.images");
        codec.encode(event("first"));
        assertThat(REGISTRY.confluent("PUT", "/config/strict.images-value", "{\"compatibility\":\"BACKWARD\"}")
                        .statusCode())
                .isEqualTo(200);
        Schema incompatible = SchemaBuilder.record("ImageEvent")
                .namespace("io.divastream.schemas")
                .fields()
                .requiredString("imageId")
                .requiredLong("label")
                .endRecord();

        assertThat(REGISTRY.register("strict.images-value", incompatible.toString())
                        .statusCode())
                .isEqualTo(409);

        // the same schema registered elsewhere, and its record sent to this topic anyway
        GenericRecord record = new GenericData.Record(incompatible);
        record.put("imageId", "x");
        record.put("label", 7L);
        byte[] bytes;
        try (AvroKafkaSerializer<GenericRecord> producer = new AvroKafkaSerializer<>()) {
            producer.configure(REGISTRY.plainSerdeSettings(), false);
            bytes = producer.serialize("elsewhere", record);
        }
        int id = RegistryCodec.schemaId(bytes);
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageStartingWith("schema id " + id + " cannot be read as ImageEvent");
    }

    @Test
    void otherBytesAndUnknownIdsAreDeadLettersWithAReason() {
        RecordCodec<ImageEvent> codec = REGISTRY.format().codec(ImageEvent.class, "bad.images");
        byte[] singleObject = AvroCodec.of(ImageEvent.class).encode(event("s"));

        assertThatThrownBy(() -> codec.decode(singleObject))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageStartingWith("not the Schema Registry wire format (starts with c301");
        assertThatThrownBy(() -> codec.decode(new byte[] {0, 0, 0, 0x7f, 0x12, 2, 'a'}))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessage("schema id 32530 is not in the registry");
        assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(RecordDecodingException.class);
    }

    @Test
    void aRegistryThatCannotBeAskedIsNotTheRecordsFault() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RecordCodec<ImageEvent> codec = SerdeFormat.registry("http://127.0.0.1:" + port + "/apis/registry/v2")
                .codec(ImageEvent.class, "down.images");
        byte[] bytes = REGISTRY.format().codec(ImageEvent.class, "down.images").encode(event("d"));

        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(RegistryUnavailableException.class);
        assertThatThrownBy(() -> codec.encode(event("d"))).isInstanceOf(RegistryUnavailableException.class);
        assertThat(List.of(SerdeFormat.SINGLE_OBJECT.codec(ImageEvent.class, "t")))
                .allMatch(AvroCodec.class::isInstance);
    }
}
