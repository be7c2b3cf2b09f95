package io.divastream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.PojoTestUtils;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class RawRecordTest {

    @Test
    void isSerializedByFlinkAsAPojo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(RawRecord.class);
        assertThat(TypeInformation.of(RawRecord.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void survivesFlinkSerializationIncludingNullBytes() throws Exception {
        TypeSerializer<RawRecord> serializer =
                TypeInformation.of(RawRecord.class).createSerializer(new SerializerConfigImpl());
        RawRecord withBytes = new RawRecord("t", 3, 17L, new byte[] {1, 2}, new byte[] {3}, 99L);
        RawRecord tombstone = new RawRecord("t", 0, 0L, null, null, -1L);
        for (RawRecord record : List.of(withBytes, tombstone)) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(record, out);
            RawRecord copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(copy).isEqualTo(record).isNotSameAs(record);
        }
    }

    @Test
    void comparesArrayContents() {
        RawRecord a = new RawRecord("t", 0, 1, new byte[] {1}, new byte[] {2}, 5);
        RawRecord b = new RawRecord("t", 0, 1, new byte[] {1}, new byte[] {2}, 5);
        RawRecord c = new RawRecord("t", 0, 1, new byte[] {1}, new byte[] {3}, 5);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
        assertThat(a.toString()).contains("t-0@1").contains("1 bytes");
    }

    @Test
    void deserializationSchemaCopiesBytesAndCoordinatesAndNeverFails() throws Exception {
        byte[] key = {'k'};
        byte[] garbage = {(byte) 0xff, 0, 1};
        ConsumerRecord<byte[], byte[]> consumed = new ConsumerRecord<>("diva.images", 2, 40L, key, garbage);
        ConsumerRecord<byte[], byte[]> tombstone = new ConsumerRecord<>("diva.images", 2, 41L, null, null);
        List<RawRecord> out = new ArrayList<>();
        Collector<RawRecord> collector = new Collector<>() {
            @Override
            public void collect(RawRecord record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
        RawRecordDeserializationSchema schema = new RawRecordDeserializationSchema();

        schema.deserialize(consumed, collector);
        schema.deserialize(tombstone, collector);
        garbage[0] = 0;

        assertThat(out).hasSize(2);
        assertThat(out.get(0))
                .isEqualTo(new RawRecord(
                        "diva.images", 2, 40L, new byte[] {'k'}, new byte[] {(byte) 0xff, 0, 1}, consumed.timestamp()));
        assertThat(out.get(1).key()).isNull();
        assertThat(out.get(1).value()).isNull();
        assertThat(out.get(1).offset()).isEqualTo(41L);
        assertThat(schema.getProducedType()).isEqualTo(TypeInformation.of(RawRecord.class));
    }
}
