package io.divastream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every option declared in an {@code *Options} class is one of the job's, and each key is declared once. */
class OptionDeclarationsTest {

    private static final List<Class<?>> DECLARING = List.of(
            KafkaOptions.class,
            TopicOptions.class,
            RouteOptions.class,
            LimitsOptions.class,
            BatchOptions.class,
            ModelOptions.class,
            TrainOptions.class,
            EmbeddingOptions.class,
            MetricsOptions.class,
            ExportOptions.class,
            RuntimeOptions.class,
            SerdeOptions.class);

    @Test
    void everyDeclaredOptionIsListedOnceAmongTheJobsOptions() throws IllegalAccessException {
        List<String> declared = new ArrayList<>();
        for (Class<?> type : DECLARING) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == DivaOption.class) {
                    declared.add(((DivaOption<?>) field.get(null)).key());
                }
            }
        }
        assertThat(declared).doesNotHaveDuplicates();
        assertThat(JobOptions.ALL.options()).extracting(DivaOption::key).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void eachOptionHoldsItsValueUnderItsKeyWithItsDefault() {
        for (DivaOption<?> option : JobOptions.ALL.options()) {
            assertThat(option.configOption().key()).isEqualTo(option.key());
            assertThat(option.configOption().hasDefaultValue()).isEqualTo(!option.isRequired());
            if (!option.isRequired()) {
                assertThat(option.configOption().defaultValue()).isEqualTo(option.parse(option.defaultText()));
            }
        }
    }
}
