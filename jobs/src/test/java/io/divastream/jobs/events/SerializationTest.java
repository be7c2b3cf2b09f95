package io.divastream.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.kafka.RawRecord;
import io.divastream.jobs.assembly.BufferedImage;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.PojoTestUtils;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every type that crosses an operator boundary or sits in state is a Flink POJO serialized without
 * Kryo (the job disables generic types), and round-trips through its serializer with its values.
 */
class SerializationTest {

    static List<Object> samples() {
        return List.of(
                new ImageSample(
                        "omniglot/Greek/character01/1.png", "Greek/character01", Role.EVAL, new byte[] {0, 1, -1}, 42L),
                new TrainingBatch(
                        7,
                        new String[] {"a", "a", "b", "b"},
                        new String[] {"1", "2", "3", "4"},
                        new byte[][] {{1}, {2}, {3}, {4}},
                        3),
                new ModelUpdate(
                        2,
                        500,
                        1_234,
                        17,
                        new byte[] {9, 8, 7},
                        3,
                        "ab".repeat(32),
                        new String[] {"total", "discriminative"},
                        new double[] {1.5, Double.NaN},
                        99L),
                new ImageEmbedding(
                        "id",
                        "Latin/character02",
                        Role.TRAIN,
                        4,
                        800,
                        3_000,
                        5L,
                        new float[] {0.6f, 0.8f},
                        new float[][] {{1f, 0f}, {0f, -1f}},
                        6L,
                        7L),
                new EvaluationResult(
                        4,
                        800,
                        3_000,
                        "query-gallery",
                        20,
                        5,
                        9,
                        new String[] {"combined", "discriminative"},
                        new double[][] {
                            {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, {0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.5, 0.5}
                        },
                        new int[] {1, 10},
                        new double[][] {{0.1, 0.9}, {0.6, 0.95}},
                        40,
                        10,
                        new double[][] {
                            {0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}, {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.1}
                        },
                        new double[][] {{0.2, 1.0}, {0.3, 0.99}},
                        1L,
                        2L,
                        ContinualScores.NONE),
                new DeadLetterEvent(
                        "diva.images",
                        2,
                        77L,
                        new byte[] {1},
                        null,
                        1,
                        -1,
                        "EMPTY_LABEL",
                        "no label",
                        "decode-images",
                        3L),
                new BufferedImage("x", new byte[] {5, 6}),
                new RawRecord("diva.images", 0, 12L, null, new byte[] {1, 2, 3}, 4L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void isAPojoWithoutKryo(Object sample) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(sample.getClass());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    @SuppressWarnings("unchecked")
    void roundTripsThroughItsSerializerWithGenericTypesDisabled(Object sample) throws Exception {
        ExecutionConfig config = new ExecutionConfig();
        ((SerializerConfigImpl) config.getSerializerConfig()).setGenericTypes(false);
        TypeInformation<Object> type = (TypeInformation<Object>) TypeInformation.of(sample.getClass());
        TypeSerializer<Object> serializer = type.createSerializer(config.getSerializerConfig());
        assertThat(serializer).isInstanceOf(PojoSerializer.class);

        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(sample, out);
        Object copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(copy).isNotSameAs(sample).isEqualTo(sample);
        assertThat(serializer.copy(sample)).isEqualTo(sample);
    }

    @Test
    void jobConfigIsJavaSerializable() throws Exception {
        JobConfig config = JobOptions.parse(
                new String[] {"--kafka.bootstrap-servers", "k:9092", "--embed.head-weights", "1,2,3,4"});
        JobConfig copy = InstantiationUtil.clone(config);
        assertThat(copy.kafka()).isEqualTo(config.kafka());
        assertThat(copy.training()).isEqualTo(config.training());
        assertThat(copy.batching()).isEqualTo(config.batching());
        assertThat(copy.embedding().headWeights()).containsExactly(1, 2, 3, 4);
        assertThat(copy.runtime()).isEqualTo(config.runtime());
        assertThat(copy.routing()).isEqualTo(config.routing());
    }

    @Test
    void recordsCompareArrayContents() {
        ImageSample a = new ImageSample("i", "l", Role.TRAIN, new byte[] {1, 2}, 1L);
        assertThat(a).isEqualTo(new ImageSample("i", "l", Role.TRAIN, new byte[] {1, 2}, 1L));
        assertThat(a).hasSameHashCodeAs(new ImageSample("i", "l", Role.TRAIN, new byte[] {1, 2}, 1L));
        assertThat(a).isNotEqualTo(new ImageSample("i", "l", Role.TRAIN, new byte[] {1, 3}, 1L));
        TrainingBatch b = (TrainingBatch) samples().get(1);
        assertThat(b.size()).isEqualTo(4);
        assertThat(b.classCount()).isEqualTo(2);
        assertThat(b.distinctImageIds()).containsExactlyInAnyOrder("1", "2", "3", "4");
        EvaluationResult r = (EvaluationResult) samples().get(4);
        assertThat(r.scoresOf("discriminative")).containsExactly(0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.5, 0.5);
        assertThat(r.recallAtKOf("discriminative")).containsExactly(0.6, 0.95);
        assertThat(r.seenScoresOf("combined")).startsWith(0.2, 0.3);
        assertThat(r.hasSeen()).isTrue();
    }
}
