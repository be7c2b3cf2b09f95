package io.divastream.jobs.config;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/**
 * Every option of the DiVA stream job (declared in {@link KafkaOptions}, {@link TopicOptions} and the other
 * {@code *Options} classes), its parsing into a {@link JobConfig}, and the documented configuration file
 * generated from the declarations.
 */
public final class JobOptions {

    /** Every option of the job, in the order of {@code --help} and the configuration file. */
    public static final OptionSet ALL = OptionSet.of(all()).withKafkaClientProperties();

    /** Where the documented configuration file lives, relative to the repository root. */
    public static final String CONFIG_FILE = "config/diva-stream.properties";

    private JobOptions() {}

    private static List<DivaOption<?>> all() {
        List<DivaOption<?>> options = new ArrayList<>();
        options.addAll(KafkaOptions.ALL);
        options.addAll(TopicOptions.ALL);
        options.addAll(SerdeOptions.ALL);
        options.addAll(RouteOptions.ALL);
        options.addAll(LimitsOptions.ALL);
        options.addAll(BatchOptions.ALL);
        options.addAll(ModelOptions.ALL);
        options.addAll(TrainOptions.ALL);
        options.addAll(EmbeddingOptions.ALL);
        options.addAll(MetricsOptions.ALL);
        options.addAll(ExportOptions.ALL);
        options.addAll(RuntimeOptions.ALL);
        return options;
    }

    /**
     * Parses and validates the job's arguments ({@code --config FILE} reads the same keys from a file; options
     * on the command line win).
     *
     * @param args the command line
     * @return the configuration
     * @throws ConfigException with a one-line message on any error
     */
    public static JobConfig parse(String... args) {
        return JobConfigBuilder.build(ALL.parse(args));
    }

    /**
     * Builds the job's configuration from options given in a Flink configuration.
     *
     * @param conf the options given (which may hold other keys too)
     * @return the configuration
     * @throws ConfigException with a one-line message on any error
     */
    public static JobConfig fromConfiguration(Configuration conf) {
        return JobConfigBuilder.build(conf);
    }

    /**
     * Renders the documented configuration file: every option, commented out at its default, under its
     * description. {@code config/diva-stream.properties} is this text (a test keeps them equal).
     *
     * @return the file's text
     */
    public static String configFileTemplate() {
        StringBuilder text = new StringBuilder();
        text.append(
                        "# DiVA Stream configuration: every option of the job, for DivaStreamJob (a cluster) and LocalDemo\n")
                .append("# (the embedded runner; its own demo.* options stay on its command line).\n")
                .append("#\n")
                .append("#   --config ")
                .append(CONFIG_FILE)
                .append("   (options given on the command line win over the file)\n")
                .append("#\n")
                .append(
                        "# One 'key = value' per line; keys are the option names; values are literal (no escapes, so a\n")
                .append(
                        "# regular expression is written as on the command line). Every option below is commented out\n")
                .append(
                        "# at its default: uncomment a line to change it. Unknown keys, bad values and contradictions\n")
                .append("# stop the job at start-up with a one-line message naming the key. model.preset sets\n")
                .append("# image.size, model.channels and model.embedding-dim; a key set here wins over the preset.\n")
                .append("# Generated from the option declarations (JobOptionsFileTest fails when the two differ).\n");
        String section = "";
        for (DivaOption<?> option : ALL.options()) {
            String key = option.key();
            String prefix = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
            if (!prefix.equals(section)) {
                if (section.equals("kafka")) {
                    text.append(KafkaOptions.CLIENT_PROPERTIES_TEMPLATE);
                }
                text.append("\n## ").append(prefix).append("\n");
                section = prefix;
            }
            text.append("\n# ")
                    .append(option.description())
                    .append(option.isRequired() ? " (required)" : "")
                    .append("\n")
                    .append("# ")
                    .append(key)
                    .append(" =");
            if (!option.isRequired() && !option.defaultText().isEmpty()) {
                text.append(" ").append(option.defaultText());
            }
            text.append("\n");
        }
        return text.toString();
    }
}
