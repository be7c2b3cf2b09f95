package io.divastream.jobs.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses {@code --key value} arguments against a fixed set of {@link Option}s. Unknown options
 * (typos) and malformed values fail with a one-line {@link ConfigException} that names the option
 * and, for a typo, the closest known one.
 */
public final class Arguments {

    private final Map<String, Option> options = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    private Arguments(List<Option> known) {
        for (Option option : known) {
            options.put(option.key(), option);
        }
    }

    /** The option that names a configuration file: {@code --config FILE}. */
    public static final String CONFIG = "config";

    /**
     * Parses arguments.
     *
     * @param args the command-line arguments, {@code --key value} or {@code --key=value}; {@code
     *     --config FILE} (repeatable, later files win) reads options from a file (see {@link
     *     ConfigFile}), and options given on the command line win over every file
     * @param known the options that exist
     * @return the parsed arguments
     * @throws ConfigException for an unknown option, a missing value, a stray argument, or an
     *     unreadable or malformed configuration file
     */
    public static Arguments parse(String[] args, List<Option> known) {
        Arguments parsed = new Arguments(known);
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException("unexpected argument '" + arg + "' (options look like --key value)");
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new ConfigException("option --" + key + " needs a value");
                }
                value = args[++i];
            }
            if (key.equals(CONFIG)) {
                Path file = Path.of(value);
                for (Map.Entry<String, ConfigFile.Entry> entry : ConfigFile.read(file).entrySet()) {
                    if (!parsed.options.containsKey(entry.getKey())) {
                        throw new ConfigException(
                                file + ":" + entry.getValue().line() + ": unknown key " + entry.getKey()
                                        + parsed.suggestion(entry.getKey(), "")
                                        + "; run with --help for the list");
                    }
                    parsed.values.put(entry.getKey(), entry.getValue().value());
                }
                continue;
            }
            if (!parsed.options.containsKey(key)) {
                throw new ConfigException(
                        "unknown option --" + key + parsed.suggestion(key, "--") + "; run with --help for the list");
            }
            given.put(key, value);
        }
        parsed.values.putAll(given);
        return parsed;
    }

    /**
     * Returns these arguments with other defaults for the options that were not given (in a file
     * or on the command line), e.g. the values of a model preset.
     *
     * @param defaults per option key, its new default
     * @return new arguments
     * @throws IllegalArgumentException if a key is not an option
     */
    public Arguments withDefaults(Map<String, String> defaults) {
        List<Option> changed = new ArrayList<>();
        for (Option option : options.values()) {
            changed.add(defaults.containsKey(option.key())
                    ? new Option(option.key(), defaults.get(option.key()), option.description())
                    : option);
        }
        for (String key : defaults.keySet()) {
            if (!options.containsKey(key)) {
                throw new IllegalArgumentException("option " + key + " is not declared");
            }
        }
        Arguments copy = new Arguments(changed);
        copy.values.putAll(values);
        return copy;
    }

    private String suggestion(String key, String prefix) {
        return options.keySet().stream()
                .min(Comparator.comparingInt(k -> editDistance(k, key)))
                .filter(k -> editDistance(k, key) <= Math.max(2, key.length() / 3))
                .map(k -> " (did you mean " + prefix + k + "?)")
                .orElse("");
    }

    /**
     * Returns an option's value or its default.
     *
     * @param key the option
     * @return the value
     * @throws ConfigException if the option is required and missing
     */
    public String string(String key) {
        Option option = options.get(key);
        if (option == null) {
            throw new IllegalArgumentException("option " + key + " is not declared");
        }
        String value = values.getOrDefault(key, option.defaultValue());
        if (value == null) {
            throw new ConfigException("option --" + key + " is required: " + option.description());
        }
        return value;
    }

    /**
     * Tells whether an option was given explicitly.
     *
     * @param key the option
     * @return true if given
     */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /**
     * Parses an integer option within bounds.
     *
     * @param key the option
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the value
     */
    public int integer(String key, int min, int max) {
        return (int) longValue(key, min, max);
    }

    /**
     * Parses a long option within bounds.
     *
     * @param key the option
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the value
     */
    public long longValue(String key, long min, long max) {
        String raw = string(key).trim();
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException("option --" + key + " must be an integer, got '" + raw + "'");
        }
        if (value < min || value > max) {
            throw new ConfigException(
                    "option --" + key + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /**
     * Parses a floating-point option within bounds.
     *
     * @param key the option
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the value
     */
    public double number(String key, double min, double max) {
        String raw = string(key).trim();
        double value;
        try {
            value = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException("option --" + key + " must be a number, got '" + raw + "'");
        }
        if (!(value >= min && value <= max)) {
            throw new ConfigException(
                    "option --" + key + " must be between " + min + " and " + max + ", got " + raw);
        }
        return value;
    }

    /**
     * Parses a boolean option ({@code true} or {@code false}).
     *
     * @param key the option
     * @return the value
     */
    public boolean bool(String key) {
        String raw = string(key).trim().toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(
                    "option --" + key + " must be true or false, got '" + raw + "'");
        };
    }

    /**
     * Parses a comma-separated list option.
     *
     * @param key the option
     * @return the trimmed, non-empty items
     */
    public List<String> list(String key) {
        List<String> items = new ArrayList<>();
        for (String item : string(key).split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    /**
     * Parses a regular-expression option.
     *
     * @param key the option
     * @return the compiled pattern
     */
    public Pattern pattern(String key) {
        String raw = string(key);
        try {
            return Pattern.compile(raw);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(
                    "option --" + key + " is not a valid regular expression: " + e.getDescription());
        }
    }

    /**
     * Returns the usage text listing every option with its default.
     *
     * @return the text
     */
    public static String usage(List<Option> known) {
        StringBuilder text = new StringBuilder();
        text.append(String.format("  --%-32s %s%n", CONFIG + " FILE",
                "read options from a file of 'key = value' lines (repeatable; command-line options win)"));
        for (Option option : known) {
            text.append(String.format("  --%-32s %s%s%n", option.key(), option.description(),
                    option.defaultValue() == null ? " (required)" : " [" + option.defaultValue() + "]"));
        }
        return text.toString();
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
