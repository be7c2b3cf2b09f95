package io.divastream.jobs.config;

import io.divastream.connectors.kafka.KafkaClientArguments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The options a program accepts, parsed from {@code --key value} (or {@code --key=value}) arguments and
 * {@code --config FILE} files into a Flink {@link Configuration}. The command line is parsed by picocli, like
 * every other program of the project; unknown options (typos) and malformed values fail with a one-line
 * {@link ConfigException} that names the option and, for a typo, the closest known one.
 */
public final class OptionSet {

    /** The option that names a configuration file: {@code --config FILE}. */
    public static final String CONFIG = "config";

    private final Map<String, DivaOption<?>> options;
    private final boolean kafkaClientProperties;

    private OptionSet(Map<String, DivaOption<?>> options, boolean kafkaClientProperties) {
        this.options = options;
        this.kafkaClientProperties = kafkaClientProperties;
    }

    /**
     * Collects options.
     *
     * @param options the options, in the order of {@code --help}
     * @return the set
     * @throws IllegalArgumentException if two have the same key
     */
    public static OptionSet of(List<? extends DivaOption<?>> options) {
        Map<String, DivaOption<?>> byKey = new LinkedHashMap<>();
        for (DivaOption<?> option : options) {
            if (byKey.put(option.key(), option) != null || option.key().equals(CONFIG)) {
                throw new IllegalArgumentException("option " + option.key() + " is declared twice");
            }
        }
        return new OptionSet(byKey, false);
    }

    /**
     * Returns these options and any Kafka client property: {@code kafka.properties.<key>} on the command line
     * and in a file, and {@code --kafka.properties-file FILE} (see {@link KafkaOptions#clientProperties}).
     *
     * @return the set
     */
    public OptionSet withKafkaClientProperties() {
        return new OptionSet(options, true);
    }

    /**
     * Returns these options followed by others.
     *
     * @param more the other options
     * @return the union
     * @throws IllegalArgumentException if a key repeats
     */
    public OptionSet plus(List<? extends DivaOption<?>> more) {
        List<DivaOption<?>> all = new ArrayList<>(options.values());
        all.addAll(more);
        return new OptionSet(of(all).options, kafkaClientProperties);
    }

    /**
     * Returns these options with some replaced by others of the same key (another default or description).
     *
     * @param replacements the replacing options
     * @return the set, in the same order
     * @throws IllegalArgumentException if a replacement's key is not in the set
     */
    public OptionSet replacing(List<? extends DivaOption<?>> replacements) {
        Map<String, DivaOption<?>> copy = new LinkedHashMap<>(options);
        for (DivaOption<?> option : replacements) {
            if (copy.replace(option.key(), option) == null) {
                throw new IllegalArgumentException("option " + option.key() + " is not declared");
            }
        }
        return new OptionSet(copy, kafkaClientProperties);
    }

    public List<DivaOption<?>> options() {
        return List.copyOf(options.values());
    }

    /**
     * Parses arguments.
     *
     * @param args {@code --key value} or {@code --key=value}; {@code --config FILE} (repeatable, later files
     *     win) reads options from a file (see {@link ConfigFile}), and options given on the command line win
     *     over every file
     * @return the configuration holding every option given (the others keep their defaults)
     * @throws ConfigException for an unknown option, a missing or malformed value, a stray argument, or an
     *     unreadable or malformed configuration file
     */
    public Configuration parse(String... args) {
        Map<String, String> clientProperties = new LinkedHashMap<>();
        if (kafkaClientProperties) {
            KafkaClientArguments.Split split;
            try {
                split = KafkaClientArguments.splitProperties(args);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
            clientProperties.putAll(split.properties());
            args = split.restArray();
        }
        for (String arg : args) {
            if (arg.equals("--")) {
                throw unmatched(arg);
            }
        }
        CommandLine commandLine = new CommandLine(spec());
        commandLine.setOverwrittenOptionsAllowed(true);
        commandLine.setUnmatchedOptionsArePositionalParams(false);
        ParseResult result;
        try {
            result = commandLine.parseArgs(args);
        } catch (CommandLine.UnmatchedArgumentException e) {
            throw unmatched(e.getUnmatched().get(0));
        } catch (CommandLine.MissingParameterException e) {
            CommandLine.Model.ArgSpec missing = e.getMissing().get(0);
            String name = missing instanceof OptionSpec option ? option.longestName() : missing.paramLabel();
            throw new ConfigException("option " + name + " needs a value");
        } catch (CommandLine.ParameterException e) {
            throw new ConfigException(e.getMessage());
        }
        Configuration conf = new Configuration();
        Map<String, String> fileClientProperties = new LinkedHashMap<>();
        for (String file : result.matchedOptionValue("--" + CONFIG, List.<String>of())) {
            Path path = Path.of(file);
            for (Map.Entry<String, ConfigFile.Entry> entry :
                    ConfigFile.read(path).entrySet()) {
                if (kafkaClientProperties && entry.getKey().startsWith(KafkaClientArguments.PREFIX)) {
                    String key = entry.getKey().substring(KafkaClientArguments.PREFIX.length());
                    fileClientProperties.put(
                            KafkaOptions.checkedClientKey(
                                    key, path + ":" + entry.getValue().line()),
                            entry.getValue().value());
                    continue;
                }
                DivaOption<?> option = options.get(entry.getKey());
                if (option == null) {
                    throw new ConfigException(path + ":" + entry.getValue().line() + ": unknown key " + entry.getKey()
                            + suggestion(entry.getKey(), "") + "; run with --help for the list");
                }
                option.set(conf, entry.getValue().value());
            }
        }
        for (DivaOption<?> option : options.values()) {
            String value = result.matchedOptionValue("--" + option.key(), null);
            if (value != null) {
                option.set(conf, value);
            }
        }
        fileClientProperties.putAll(clientProperties);
        KafkaOptions.setClientProperties(conf, fileClientProperties);
        return conf;
    }

    /**
     * Tells whether the arguments ask for the usage text.
     *
     * @param args the arguments
     * @return true if they hold {@code --help} or {@code -h}
     */
    public static boolean helpRequested(String... args) {
        return List.of(args).contains("--help") || List.of(args).contains("-h");
    }

    /**
     * Returns the usage text: every option with its default, as picocli renders it.
     *
     * @param program the program's name
     * @return the text
     */
    public String usage(String program) {
        CommandSpec spec = spec();
        spec.name(program);
        spec.usageMessage()
                .footer(kafkaClientProperties ? new String[] {"", KafkaClientArguments.USAGE} : new String[0])
                .width(120)
                .sortOptions(false)
                .abbreviateSynopsis(true)
                .longOptionsMaxWidth(44);
        return new CommandLine(spec).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private CommandSpec spec() {
        CommandSpec spec = CommandSpec.create();
        spec.addOption(OptionSpec.builder("--" + CONFIG)
                .paramLabel("FILE")
                .type(List.class)
                .auxiliaryTypes(String.class)
                .arity("1")
                .description("read options from a file of 'key = value' lines (repeatable; command-line options win)")
                .build());
        for (DivaOption<?> option : options.values()) {
            spec.addOption(OptionSpec.builder("--" + option.key())
                    .paramLabel("VALUE")
                    .type(String.class)
                    .arity("1")
                    .description(option.description()
                            + (option.isRequired() ? " (required)" : " [" + option.defaultText() + "]"))
                    .build());
        }
        spec.addOption(OptionSpec.builder("--help", "-h")
                .usageHelp(true)
                .description("print this text")
                .build());
        return spec;
    }

    private ConfigException unmatched(String argument) {
        if (!argument.startsWith("--") || argument.length() == 2) {
            return new ConfigException("unexpected argument '" + argument + "' (options look like --key value)");
        }
        String key = argument.substring(2);
        int eq = key.indexOf('=');
        if (eq >= 0) {
            key = key.substring(0, eq);
        }
        return new ConfigException(
                "unknown option --" + key + suggestion(key, "--") + "; run with --help for the list");
    }

    private String suggestion(String key, String prefix) {
        return options.keySet().stream()
                .min(Comparator.comparingInt(k -> editDistance(k, key)))
                .filter(k -> editDistance(k, key) <= Math.max(2, key.length() / 3))
                .map(k -> " (did you mean " + prefix + k + "?)")
                .orElse("");
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
