package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.avro.RecordDecodingException;
import io.divastream.jobs.events.ContinualScores;
import io.divastream.jobs.events.EvaluationResult;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.RetrievalMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The issue-5 fields of MetricsRecord and RetrievalMetrics are a compatible evolution: records written with
 * the schemas before (kept in test resources) read with the new ones (defaults: leave-one-out, no seen-class
 * scores, null precision@1, R-precision and F1), and readers of the old schemas read new records. AvroCodec
 * itself does not resolve schemas (it rejects another writer fingerprint), which this test also pins: the
 * topics' consumers must run the same build, or resolve with Avro's readers as shown here.
 */
class MetricsSchemaEvolutionTest {

    private static Schema oldMetricsSchema() throws IOException {
        Schema.Parser parser = new Schema.Parser();
        parser.parse(resource("RetrievalMetrics.avsc"));
        return parser.parse(resource("MetricsRecord.avsc"));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = MetricsSchemaEvolutionTest.class.getResourceAsStream("/avro-before-issue5/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static byte[] write(Schema schema, Object record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<Object>(schema, GenericData.get()).write(record, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }

    @Test
    void theSchemasAreCompatibleBothWays() throws IOException {
        Schema old = oldMetricsSchema();
        Schema current = MetricsRecord.getClassSchema();
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, old)
                        .getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(old, current)
                        .getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void anOldRecordReadsWithTheDefaults() throws IOException {
        Schema old = oldMetricsSchema();
        Schema oldRetrieval = old.getField("metrics").schema().getValueType();
        GenericRecord m = new GenericData.Record(oldRetrieval);
        m.put("recallAt1", 0.5);
        m.put("recallAt2", 0.6);
        m.put("recallAt4", 0.7);
        m.put("recallAt8", 0.8);
        m.put("nmi", 0.4);
        m.put("mapAtR", 0.3);
        GenericRecord r = new GenericData.Record(old);
        r.put("modelVersion", 3L);
        r.put("trainingStep", 750L);
        r.put("imagesSeen", 2_000L);
        r.put("evalImages", 40);
        r.put("evalClasses", 4);
        r.put("metrics", Map.of("combined", m));
        r.put("modelCreatedAt", 1_000L);
        r.put("computedAt", 2_000L);

        byte[] body = write(old, r);
        MetricsRecord read = new SpecificDatumReader<MetricsRecord>(old, MetricsRecord.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(body, null));

        assertThat(read.getModelVersion()).isEqualTo(3);
        assertThat(read.getMode()).isEqualTo("leave-one-out");
        assertThat(read.getQueryImages()).isZero();
        assertThat(read.getSeenImages()).isZero();
        assertThat(read.getSeen()).isEmpty();
        RetrievalMetrics combined = read.getMetrics().get("combined");
        assertThat(combined.getRecallAt8()).isEqualTo(0.8);
        assertThat(combined.getPrecisionAt1()).isNull();
        assertThat(combined.getRPrecision()).isNull();
        assertThat(combined.getF1()).isNull();
        assertThat(combined.getRecallAtK()).isEmpty();
    }

    @Test
    void anOldReaderReadsANewRecord() throws IOException {
        EvaluationResult result = new EvaluationResult(
                5,
                1_250,
                4_000,
                "query-gallery",
                30,
                3,
                12,
                new String[] {"combined"},
                new double[][] {{0.5, 0.6, 0.7, 0.8, 0.4, 0.3, 0.5, 0.2, 0.1}},
                new int[] {1, 10},
                new double[][] {{0.5, 0.95}},
                20,
                5,
                new double[][] {{0.9, 0.9, 1, 1, 0.8, 0.7, 0.9, 0.6, 0.5}},
                new double[][] {{0.9, 1}},
                1L,
                2L,
                ContinualScores.NONE);
        MetricsRecord current = AvroMapping.metrics(result);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(MetricsRecord.class).write(current, encoder);
        encoder.flush();
        byte[] body = bytes.toByteArray();

        Schema old = oldMetricsSchema();
        GenericRecord read = new GenericDatumReader<GenericRecord>(MetricsRecord.getClassSchema(), old)
                .read(null, DecoderFactory.get().binaryDecoder(body, null));
        assertThat(read.get("modelVersion")).isEqualTo(5L);
        assertThat(read.get("evalImages")).isEqualTo(30);
        GenericRecord combined = (GenericRecord)
                ((Map<?, ?>) read.get("metrics")).values().iterator().next();
        assertThat(combined.get("recallAt1")).isEqualTo(0.5);
        assertThat(combined.get("mapAtR")).isEqualTo(0.3);
        assertThat(read.getSchema().getField("seen")).isNull();
    }

    @Test
    void theCodecRejectsTheOldWriterSchemaByFingerprint() throws IOException {
        Schema old = oldMetricsSchema();
        AvroCodec<MetricsRecord> codec = AvroCodec.of(MetricsRecord.class);
        long oldFingerprint = org.apache.avro.SchemaNormalization.parsingFingerprint64(old);
        assertThat(oldFingerprint).isNotEqualTo(codec.fingerprint());
        byte[] header = new byte[AvroCodec.HEADER_LENGTH];
        header[0] = (byte) 0xC3;
        header[1] = 0x01;
        java.nio.ByteBuffer.wrap(header, 2, 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(oldFingerprint);
        assertThatThrownBy(() -> codec.decode(header))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageContaining("fingerprint");
    }

    /**
     * The issue-16 fields (serving version, cross-version scores, class groups) are a compatible evolution too, and
     * the codec reads a record of the build before them (its schema kept as history/MetricsRecord.1.avsc) with their
     * defaults.
     */
    @Test
    void theCodecReadsARecordWrittenBeforeTheContinualScores() throws IOException {
        Schema before;
        try (InputStream in = MetricsRecord.class
                .getClassLoader()
                .getResourceAsStream("io/divastream/schemas/history/MetricsRecord.1.avsc")) {
            before = new Schema.Parser().parse(in);
        }
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(MetricsRecord.getClassSchema(), before)
                        .getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(before, MetricsRecord.getClassSchema())
                        .getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        GenericRecord record = new GenericData.Record(before);
        GenericRecord combined =
                new GenericData.Record(before.getField("metrics").schema().getValueType());
        for (String field : List.of("recallAt1", "recallAt2", "recallAt4", "recallAt8", "nmi", "mapAtR")) {
            combined.put(field, 0.5);
        }
        combined.put("recallAtK", Map.of());
        record.put("modelVersion", 7L);
        record.put("trainingStep", 1_750L);
        record.put("imagesSeen", 900L);
        record.put("evalImages", 40);
        record.put("evalClasses", 4);
        record.put("metrics", Map.of("combined", combined));
        record.put("modelCreatedAt", 1L);
        record.put("computedAt", 2L);
        record.put("mode", "leave-one-out");
        record.put("queryImages", 0);
        record.put("seenImages", 0);
        record.put("seenClasses", 0);
        record.put("seen", Map.of());
        byte[] bytes = new org.apache.avro.message.BinaryMessageEncoder<GenericRecord>(GenericData.get(), before)
                .encode(record)
                .array();

        MetricsRecord read = AvroCodec.of(MetricsRecord.class).decode(bytes);
        assertThat(read.getModelVersion()).isEqualTo(7);
        assertThat(read.getMetrics().get("combined").getRecallAt1()).isEqualTo(0.5);
        assertThat(read.getServingVersion()).isEqualTo(-1);
        assertThat(read.getCrossVersion()).isEmpty();
        assertThat(read.getClassGroupSize()).isZero();
        assertThat(read.getClassGroups()).isEmpty();
    }
}
