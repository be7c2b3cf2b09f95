package io.divastream.jobs.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;

/**
 * The job's options as a program that runs the job itself offers them (the demo, the benchmarks): the
 * program's own options, then every job option, some with the program's defaults; the Kafka brokers may be
 * left empty for a broker the program starts, and the checkpoints go to the program's work directory unless
 * given.
 */
public final class LocalJobOptions {

    private final OptionSet options;
    private final List<DivaOption<?>> jobDefaults;

    private LocalJobOptions(OptionSet options, List<DivaOption<?>> jobDefaults) {
        this.options = options;
        this.jobDefaults = jobDefaults;
    }

    /**
     * Collects a program's options.
     *
     * @param own the program's own options
     * @param jobDefaults job options with the program's default ({@link DivaOption#withDefault})
     * @param brokersDescription what an empty {@code kafka.bootstrap-servers} means to the program
     * @return the options
     */
    public static LocalJobOptions of(
            List<? extends DivaOption<?>> own, List<? extends DivaOption<?>> jobDefaults, String brokersDescription) {
        List<DivaOption<?>> replaced = new ArrayList<>(jobDefaults);
        replaced.add(DivaOption.of(KafkaOptions.BOOTSTRAP_SERVERS.key(), OptionType.text(), "", brokersDescription));
        OptionSet job = JobOptions.ALL.replacing(replaced);
        return new LocalJobOptions(
                OptionSet.of(own).plus(job.options()).withKafkaClientProperties(), List.copyOf(jobDefaults));
    }

    public OptionSet options() {
        return options;
    }

    /**
     * Parses a program's arguments.
     *
     * @param args the arguments
     * @return the options given
     * @throws ConfigException on any error
     */
    public Configuration parse(String... args) {
        return options.parse(args);
    }

    /**
     * The options the job runs with: those given, the program's job defaults for the others, the brokers, and
     * the checkpoint directory unless given.
     *
     * @param given the options given to the program
     * @param brokers the Kafka brokers the job uses
     * @param checkpoints the checkpoint directory unless {@code checkpoint.dir} is given
     * @return the job's options
     * @throws ConfigException if the brokers are malformed
     */
    public Configuration jobConfiguration(Configuration given, String brokers, Path checkpoints) {
        Configuration conf = new Configuration(given);
        for (DivaOption<?> option : jobDefaults) {
            option.setUnlessGiven(conf, option.defaultText());
        }
        KafkaOptions.BOOTSTRAP_SERVERS.set(conf, brokers);
        RuntimeOptions.CHECKPOINT_DIR.setUnlessGiven(conf, checkpoints.toUri().toString());
        return conf;
    }

    /**
     * Describes the job options a configuration sets, for a benchmark's log.
     *
     * @param conf the configuration
     * @return {@code key=value} per job option set, by key
     */
    public static String describe(Configuration conf) {
        Map<String, String> set = new TreeMap<>();
        for (DivaOption<?> option : JobOptions.ALL.options()) {
            if (option.isSet(conf)) {
                set.put(option.key(), String.valueOf(option.get(conf)));
            }
        }
        StringBuilder text = new StringBuilder();
        set.forEach((key, value) -> text.append(text.isEmpty() ? "" : " ")
                .append("--")
                .append(key)
                .append('=')
                .append(value));
        return text.toString();
    }
}
