package io.divastream.demo;

import io.divastream.dev.LocalKafkaBroker;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.config.Option;
import io.divastream.jobs.pipeline.DivaEnvironment;
import java.util.ArrayList;
import java.util.List;

/** The local demo's own options; it also accepts every job option. */
public final class DemoOptions {

    /** The demo's own options. */
    public static final List<Option> DEMO =
            List.of(
                    new Option("demo.bind-address", LocalKafkaBroker.DEFAULT_HOST, "address every listener of the demo binds: the local Kafka broker, Flink's RPC, blob, data and REST ports and the Prometheus endpoint"),
                    new Option("demo.kafka-port", "9092", "port of the local Kafka broker on the bind address (0: any free port)"),
                    new Option("demo.data-dir", "", "directory of Omniglot zips (empty: the copy shipped in the jar)"),
                    new Option("demo.rate", "100", "image events published per second (0: as fast as possible)"),
                    new Option("demo.seed", "42", "seed of the publication order"),
                    new Option("demo.bad-events", "3", "corrupt events published to show the dead-letter topic"),
                    new Option("demo.max-steps", "4000", "stop after the metrics of the first version at this step"),
                    new Option("demo.max-minutes", "11", "stop after this many minutes of streaming, whatever the step"),
                    new Option("demo.results", "demo-results.json", "file for the last metrics record"),
                    new Option("demo.work-dir", ".demo", "directory for the broker's log and the checkpoints (wiped at start)"),
                    new Option("metrics.prometheus-port", Integer.toString(DivaEnvironment.DEFAULT_PROMETHEUS_PORT), "port of the Prometheus metrics endpoint of the local Flink cluster, on the bind address (0: none)"));

    private DemoOptions() {}

    /**
     * Job options whose default differs in the demo: a bounded run of about 4,000 steps gets a
     * learning-rate decay for its last quarter (an unbounded job has no such end).
     */
    public static final java.util.Map<String, String> JOB_DEFAULTS =
            java.util.Map.of("train.lr-decay-steps", "3000");

    /**
     * Returns every option the demo accepts: its own and the job's, with the bootstrap servers made
     * optional (they default to the local broker).
     *
     * @return the options
     */
    public static List<Option> all() {
        List<Option> options = new ArrayList<>(DEMO);
        for (Option option : JobOptions.OPTIONS) {
            if (option.key().equals("kafka.bootstrap-servers")) {
                options.add(new Option(option.key(), "", "Kafka brokers (empty: start the local broker)"));
            } else if (JOB_DEFAULTS.containsKey(option.key())) {
                options.add(new Option(option.key(), JOB_DEFAULTS.get(option.key()), option.description()));
            } else {
                options.add(option);
            }
        }
        return options;
    }
}
