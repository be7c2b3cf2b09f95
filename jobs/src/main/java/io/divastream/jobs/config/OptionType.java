package io.divastream.jobs.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ConfigOptions.OptionBuilder;

/**
 * How an option's text becomes a typed value, which values are legal, and which Flink type holds it.
 * Every error is a one-line {@link ConfigException} naming the option.
 *
 * @param <T> the value's type
 */
public interface OptionType<T> {

    /** An extra rule on a parsed value. */
    @FunctionalInterface
    interface Check<T> {
        /**
         * Rejects an illegal value.
         *
         * @param key the option
         * @param value its value
         * @throws ConfigException naming the option if the value is illegal
         */
        void check(String key, T value);
    }

    /**
     * Parses and checks a value as written on the command line or in a file.
     *
     * @param key the option, for messages
     * @param text the text
     * @return the value
     * @throws ConfigException naming the option if the text is malformed or the value illegal
     */
    T parse(String key, String text);

    /**
     * Checks a value that did not come from text (a default, or one set programmatically).
     *
     * @param key the option, for messages
     * @param value the value
     * @throws ConfigException naming the option if the value is illegal
     */
    void check(String key, T value);

    /**
     * Declares the Flink option that holds values of this type.
     *
     * @param key the option
     * @param defaultValue its default, or null if it has none
     * @param description its description
     * @return the Flink option
     */
    ConfigOption<T> declare(String key, T defaultValue, String description);

    /**
     * Returns this type with one more rule.
     *
     * @param rule the rule
     * @return the stricter type
     */
    default OptionType<T> checked(Check<T> rule) {
        OptionType<T> base = this;
        return new OptionType<>() {
            @Override
            public T parse(String key, String text) {
                T value = base.parse(key, text);
                rule.check(key, value);
                return value;
            }

            @Override
            public void check(String key, T value) {
                base.check(key, value);
                rule.check(key, value);
            }

            @Override
            public ConfigOption<T> declare(String key, T defaultValue, String description) {
                return base.declare(key, defaultValue, description);
            }
        };
    }

    /**
     * Text, trimmed.
     *
     * @return the type
     */
    static OptionType<String> text() {
        return scalar(OptionBuilder::stringType, (key, text) -> text.trim(), (key, value) -> {});
    }

    /**
     * Text as written (a regular expression, whose spaces may matter).
     *
     * @return the type
     */
    static OptionType<String> verbatim() {
        return scalar(OptionBuilder::stringType, (key, text) -> text, (key, value) -> {});
    }

    /**
     * Non-empty trimmed text.
     *
     * @return the type
     */
    static OptionType<String> nonBlank() {
        return text().checked((key, value) -> {
            if (value.isEmpty()) {
                throw new ConfigException("option --" + key + " must not be empty");
            }
        });
    }

    /**
     * A regular expression, kept as text.
     *
     * @return the type
     */
    static OptionType<String> regex() {
        return verbatim().checked((key, value) -> {
            try {
                Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new ConfigException(
                        "option --" + key + " is not a valid regular expression: " + e.getDescription());
            }
        });
    }

    /**
     * Text that is one of the given words.
     *
     * @param words the legal words
     * @return the type
     */
    static OptionType<String> oneOf(String... words) {
        return text().checked((key, value) -> {
            if (!Arrays.asList(words).contains(value)) {
                throw new ConfigException(
                        "option --" + key + " must be " + String.join(" or ", words) + ", got '" + value + "'");
            }
        });
    }

    /**
     * An integer within bounds.
     *
     * @param min the smallest legal value
     * @param max the largest legal value
     * @return the type
     */
    static OptionType<Integer> integer(int min, int max) {
        return scalar(
                OptionBuilder::intType,
                (key, text) -> (int) parseLong(key, text, min, max),
                (key, value) -> inRange(key, value, min, max));
    }

    /**
     * A long integer within bounds.
     *
     * @param min the smallest legal value
     * @param max the largest legal value
     * @return the type
     */
    static OptionType<Long> longInteger(long min, long max) {
        return scalar(
                OptionBuilder::longType,
                (key, text) -> parseLong(key, text, min, max),
                (key, value) -> inRange(key, value, min, max));
    }

    /**
     * A floating-point number within bounds.
     *
     * @param min the smallest legal value
     * @param max the largest legal value
     * @return the type
     */
    static OptionType<Double> number(double min, double max) {
        return scalar(
                OptionBuilder::doubleType,
                (key, text) -> {
                    String raw = text.trim();
                    double value;
                    try {
                        value = Double.parseDouble(raw);
                    } catch (NumberFormatException e) {
                        throw new ConfigException("option --" + key + " must be a number, got '" + raw + "'");
                    }
                    numberInRange(key, value, min, max, raw);
                    return value;
                },
                (key, value) -> numberInRange(key, value, min, max, String.valueOf(value)));
    }

    /**
     * {@code true} or {@code false}.
     *
     * @return the type
     */
    static OptionType<Boolean> bool() {
        return scalar(
                OptionBuilder::booleanType,
                (key, text) -> {
                    String raw = text.trim().toLowerCase(Locale.ROOT);
                    return switch (raw) {
                        case "true" -> true;
                        case "false" -> false;
                        default ->
                            throw new ConfigException("option --" + key + " must be true or false, got '" + raw + "'");
                    };
                },
                (key, value) -> {});
    }

    /**
     * A duration such as {@code 250ms}, {@code 90s}, {@code 30m}, {@code 24h} or {@code 7d}; a bare 0 is zero.
     *
     * @return the type
     */
    static OptionType<Duration> duration() {
        Pattern form = Pattern.compile("(\\d+)(ms|s|m|h|d)");
        return scalar(
                OptionBuilder::durationType,
                (key, text) -> {
                    String raw = text.trim();
                    if (raw.equals("0")) {
                        return Duration.ZERO;
                    }
                    Matcher m = form.matcher(raw);
                    if (!m.matches()) {
                        throw new ConfigException("option --" + key
                                + " must be a duration such as 90s, 30m, 24h or 7d (or 0), got '" + raw + "'");
                    }
                    long unit = switch (m.group(2)) {
                        case "ms" -> 1L;
                        case "s" -> 1_000L;
                        case "m" -> 60_000L;
                        case "h" -> 3_600_000L;
                        default -> 86_400_000L;
                    };
                    try {
                        return Duration.ofMillis(Math.multiplyExact(Long.parseLong(m.group(1)), unit));
                    } catch (ArithmeticException | NumberFormatException e) {
                        throw new ConfigException("option --" + key + " is too long: '" + raw + "'");
                    }
                },
                (key, value) -> {
                    if (value.isNegative()) {
                        throw new ConfigException("option --" + key + " must not be negative, got " + value);
                    }
                });
    }

    /**
     * A value one of an enum's constants stands for, parsed by the enum's own method.
     *
     * @param type the enum
     * @param parser its parser, which throws {@link IllegalArgumentException} with a message
     * @param <E> the enum
     * @return the type
     */
    static <E extends Enum<E>> OptionType<E> choice(Class<E> type, Function<String, E> parser) {
        return scalar(
                b -> b.enumType(type),
                (key, text) -> {
                    try {
                        return parser.apply(text.trim());
                    } catch (IllegalArgumentException e) {
                        String why = e.getMessage();
                        throw new ConfigException("option --" + key + (why.startsWith("must ") ? " " : ": ") + why);
                    }
                },
                (key, value) -> {});
    }

    /**
     * A comma-separated list of trimmed, non-empty words.
     *
     * @return the type
     */
    static OptionType<List<String>> words() {
        return list(OptionBuilder::stringType, "words", (key, item) -> item);
    }

    /**
     * A comma-separated list of integers.
     *
     * @return the type
     */
    static OptionType<List<Integer>> integers() {
        return list(OptionBuilder::intType, "integers", (key, item) -> Integer.parseInt(item));
    }

    /**
     * A comma-separated list of long integers.
     *
     * @return the type
     */
    static OptionType<List<Long>> longIntegers() {
        return list(OptionBuilder::longType, "integers", (key, item) -> Long.parseLong(item));
    }

    /**
     * A comma-separated list of numbers.
     *
     * @return the type
     */
    static OptionType<List<Double>> numbers() {
        return list(OptionBuilder::doubleType, "numbers", (key, item) -> Double.parseDouble(item));
    }

    /**
     * A comma-separated list of an enum's constants, each parsed by the enum's own method.
     *
     * @param type the enum
     * @param parser its parser, which throws {@link IllegalArgumentException} with a message
     * @param <E> the enum
     * @return the type
     */
    static <E extends Enum<E>> OptionType<List<E>> choices(Class<E> type, Function<String, E> parser) {
        return list(b -> b.enumType(type), "names", (key, item) -> {
            try {
                return parser.apply(item);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("option --" + key + ": " + e.getMessage());
            }
        });
    }

    private static long parseLong(String key, String text, long min, long max) {
        String raw = text.trim();
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException("option --" + key + " must be an integer, got '" + raw + "'");
        }
        inRange(key, value, min, max);
        return value;
    }

    private static void inRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException("option --" + key + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static void numberInRange(String key, double value, double min, double max, String raw) {
        if (!(value >= min && value <= max)) {
            throw new ConfigException("option --" + key + " must be between " + min + " and " + max + ", got " + raw);
        }
    }

    private static <T> OptionType<T> scalar(
            Function<OptionBuilder, ConfigOptions.TypedConfigOptionBuilder<T>> flinkType,
            Parser<T> parser,
            Check<T> rule) {
        return new OptionType<>() {
            @Override
            public T parse(String key, String text) {
                return parser.parse(key, text);
            }

            @Override
            public void check(String key, T value) {
                rule.check(key, value);
            }

            @Override
            public ConfigOption<T> declare(String key, T defaultValue, String description) {
                ConfigOptions.TypedConfigOptionBuilder<T> typed = flinkType.apply(ConfigOptions.key(key));
                return (defaultValue == null ? typed.noDefaultValue() : typed.defaultValue(defaultValue))
                        .withDescription(description);
            }
        };
    }

    private static <E> OptionType<List<E>> list(
            Function<OptionBuilder, ConfigOptions.TypedConfigOptionBuilder<E>> flinkType, String kind, Parser<E> item) {
        return new OptionType<>() {
            @Override
            public List<E> parse(String key, String text) {
                List<E> items = new ArrayList<>();
                for (String raw : text.split(",")) {
                    if (raw.isBlank()) {
                        continue;
                    }
                    try {
                        items.add(item.parse(key, raw.trim()));
                    } catch (NumberFormatException e) {
                        throw new ConfigException(
                                "option --" + key + " must list " + kind + ", got '" + raw.trim() + "'");
                    }
                }
                return List.copyOf(items);
            }

            @Override
            public void check(String key, List<E> value) {}

            @Override
            @SuppressWarnings("unchecked")
            public ConfigOption<List<E>> declare(String key, List<E> defaultValue, String description) {
                ConfigOptions.ListConfigOptionBuilder<E> typed =
                        flinkType.apply(ConfigOptions.key(key)).asList();
                return (defaultValue == null
                                ? typed.noDefaultValue()
                                : typed.defaultValues((E[]) defaultValue.toArray()))
                        .withDescription(description);
            }
        };
    }

    /** Parses one value or list item. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String key, String text);
    }
}
