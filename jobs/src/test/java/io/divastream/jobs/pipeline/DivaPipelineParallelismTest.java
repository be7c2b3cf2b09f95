package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.config.ConfigException;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** The parallelism of each operator of the job graph, from the three parallelism options. */
class DivaPipelineParallelismTest {

    @Test
    void sourceAndEmbedderHaveTheirOwnParallelismTrainerAndScorerOne() {
        Map<String, Integer> p =
                parallelism("--parallelism", "3", "--source.parallelism", "2", "--embedding.parallelism", "4");
        assertThat(p.get("Source: " + Uids.IMAGE_SOURCE)).isEqualTo(2);
        assertThat(p.get(Uids.DECODE)).isEqualTo(2);
        assertThat(p.get(Uids.TRAINING_LABELS)).isEqualTo(3);
        assertThat(p.get(Uids.BATCHER)).isEqualTo(3);
        assertThat(p.get(Uids.TRAINER)).isEqualTo(1);
        assertThat(p.get(Uids.EMBEDDER)).isEqualTo(4);
        assertThat(p.get(Uids.EVAL_FILTER)).isEqualTo(4);
        assertThat(p.get(Uids.EMBEDDINGS_SINK + ": Writer")).isEqualTo(4);
        assertThat(p.get(Uids.METRICS)).isEqualTo(1);
        assertThat(p.get(Uids.MODEL_VERSIONS_SINK + ": Writer")).isEqualTo(1);
        assertThat(p.get(Uids.DEAD_LETTERS_SINK + ": Writer")).isEqualTo(3);
    }

    @Test
    void withoutTheirOptionsSourceAndEmbedderFollowTheDefaultParallelism() {
        Map<String, Integer> p = parallelism("--parallelism", "2");
        assertThat(p.get("Source: " + Uids.IMAGE_SOURCE)).isEqualTo(2);
        assertThat(p.get(Uids.DECODE)).isEqualTo(2);
        assertThat(p.get(Uids.BATCHER)).isEqualTo(2);
        assertThat(p.get(Uids.EMBEDDER)).isEqualTo(2);
        assertThat(p.get(Uids.TRAINER)).isEqualTo(1);
        assertThat(p.get(Uids.METRICS)).isEqualTo(1);
    }

    @Test
    void theScorerRunsInATaskOfItsOwnEvenBesideASingleEmbedder() {
        List<String> tasks = tasks("--parallelism", "1");
        String embedder = task(tasks, Uids.EMBEDDER);
        String metrics = task(tasks, Uids.METRICS);

        assertThat(metrics).isNotEqualTo(embedder).doesNotContain(Uids.EMBEDDER).contains(Uids.METRICS_SINK);
        // the embeddings sink stays in the embedder's thread (no extra hop for new embeddings)
        assertThat(embedder).contains(Uids.EMBEDDINGS_SINK).contains(Uids.EVAL_FILTER);
        // the trainer keeps one input, chained to the batcher; operators' commands meet its versions in the
        // publisher, whose task holds the model-version sink
        assertThat(task(tasks, Uids.TRAINER)).contains(Uids.BATCHER).doesNotContain(Uids.MODEL_VERSIONS_SINK);
        assertThat(task(tasks, Uids.VERSION_PUBLISHER)).contains(Uids.MODEL_VERSIONS_SINK);
    }

    private static String task(List<String> tasks, String operator) {
        List<String> matching = tasks.stream().filter(t -> t.contains(operator)).toList();
        assertThat(matching).as("tasks with %s in %s", operator, tasks).hasSize(1);
        return matching.get(0);
    }

    /** The names of the job graph's tasks (vertices), each naming its chain of operators. */
    private static List<String> tasks(String... options) {
        List<String> args = new ArrayList<>(List.of("--kafka.bootstrap-servers", "127.0.0.1:9"));
        args.addAll(List.of(options));
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));
        StreamExecutionEnvironment env =
                DivaEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(), config.runtime());
        DivaPipeline.defineKafkaWorkflow(env, config);
        List<String> names = new ArrayList<>();
        env.getStreamGraph().getJobGraph().getVertices().forEach(v -> names.add(v.getName()));
        return names;
    }

    @Test
    void aNegativeParallelismIsRejectedWithTheOptionsName() {
        Assertions.assertThatThrownBy(() -> JobOptions.parse(
                        new String[] {"--kafka.bootstrap-servers", "127.0.0.1:9", "--embedding.parallelism", "-1"}))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("embedding.parallelism");
    }

    private static Map<String, Integer> parallelism(String... options) {
        List<String> args = new ArrayList<>(List.of("--kafka.bootstrap-servers", "127.0.0.1:9"));
        args.addAll(List.of(options));
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));
        StreamExecutionEnvironment env =
                DivaEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(), config.runtime());
        DivaPipeline.defineKafkaWorkflow(env, config);
        Map<String, Integer> out = new LinkedHashMap<>();
        for (StreamNode node : env.getStreamGraph().getStreamNodes()) {
            int parallelism = node.getParallelism() > 0 ? node.getParallelism() : env.getParallelism();
            out.put(node.getOperatorName(), parallelism);
        }
        assertThat(out).containsKey(Uids.EMBEDDER);
        return out;
    }
}
