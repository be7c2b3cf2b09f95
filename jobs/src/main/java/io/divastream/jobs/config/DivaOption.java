package io.divastream.jobs.config;

import java.util.Objects;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * One option of a program, declared once: its key, its type with its rules, its default written as a user
 * would write it, and its description. Values live in a Flink {@link Configuration} under the wrapped
 * {@link ConfigOption}; {@link #get} checks them again, so a configuration built in code obeys the same rules.
 *
 * @param <T> the value's type
 */
public final class DivaOption<T> {

    private final ConfigOption<T> option;
    private final OptionType<T> type;
    private final String defaultText;
    private final String description;

    private DivaOption(String key, OptionType<T> type, String defaultText, String description) {
        this.type = Objects.requireNonNull(type, "type");
        this.defaultText = defaultText;
        this.description = Objects.requireNonNull(description, "description");
        T defaultValue = defaultText == null ? null : type.parse(key, defaultText);
        this.option = type.declare(key, defaultValue, description);
    }

    /**
     * Declares an option with a default.
     *
     * @param key its name, e.g. {@code batch.classes}
     * @param type its type and rules
     * @param defaultText its default as a user would write it (parsed by the type, so it obeys the rules)
     * @param description one line for {@code --help} and the configuration file
     * @param <T> the value's type
     * @return the option
     */
    public static <T> DivaOption<T> of(String key, OptionType<T> type, String defaultText, String description) {
        return new DivaOption<>(key, type, Objects.requireNonNull(defaultText, "defaultText"), description);
    }

    /**
     * Declares an option that must be given.
     *
     * @param key its name
     * @param type its type and rules
     * @param description one line for {@code --help} and the configuration file
     * @param <T> the value's type
     * @return the option
     */
    public static <T> DivaOption<T> required(String key, OptionType<T> type, String description) {
        return new DivaOption<>(key, type, null, description);
    }

    /**
     * Returns this option with another default and description (a program that runs the job its own way,
     * such as the demo).
     *
     * @param newDefaultText the default as a user would write it
     * @param newDescription the description
     * @return the option, under the same key and type
     */
    public DivaOption<T> withDefault(String newDefaultText, String newDescription) {
        return new DivaOption<>(key(), type, newDefaultText, newDescription);
    }

    /**
     * Returns this option with another default.
     *
     * @param newDefaultText the default as a user would write it
     * @return the option, under the same key, type and description
     */
    public DivaOption<T> withDefault(String newDefaultText) {
        return withDefault(newDefaultText, description);
    }

    public String key() {
        return option.key();
    }

    public String description() {
        return description;
    }

    /** The default as written, or null if the option is required. */
    public String defaultText() {
        return defaultText;
    }

    public boolean isRequired() {
        return defaultText == null;
    }

    public ConfigOption<T> configOption() {
        return option;
    }

    /**
     * Parses a value written on the command line or in a file and stores it.
     *
     * @param conf the configuration
     * @param text the value's text
     * @throws ConfigException naming the option if the text is malformed or the value illegal
     */
    public void set(Configuration conf, String text) {
        conf.set(option, type.parse(key(), text));
    }

    /**
     * Parses and stores a value unless the configuration already sets the option: a default that a program, a
     * preset or a dataset gives, under the value the user gave.
     *
     * @param conf the configuration
     * @param text the value's text
     * @throws ConfigException naming the option if the text is malformed or the value illegal
     */
    public void setUnlessGiven(Configuration conf, String text) {
        if (!isSet(conf)) {
            set(conf, text);
        }
    }

    /**
     * Parses a value as written on the command line or in a file.
     *
     * @param text the value's text
     * @return the value
     * @throws ConfigException naming the option if the text is malformed or the value illegal
     */
    public T parse(String text) {
        return type.parse(key(), text);
    }

    /**
     * Returns the option's value in a configuration, or its default.
     *
     * @param conf the configuration
     * @return the value
     * @throws ConfigException naming the option if it is required and missing, or its value is illegal
     */
    public T get(Configuration conf) {
        T value = conf.get(option);
        if (value == null) {
            throw new ConfigException("option --" + key() + " is required: " + description);
        }
        type.check(key(), value);
        return value;
    }

    /**
     * Tells whether a configuration sets this option (rather than falling back on its default).
     *
     * @param conf the configuration
     * @return true if set
     */
    public boolean isSet(Configuration conf) {
        return conf.contains(option);
    }

    @Override
    public String toString() {
        return "--" + key();
    }
}
