package io.divastream.jobs.config;

/**
 * One command-line option of a job or tool: {@code --key value}.
 *
 * @param key the option's name without dashes, e.g. {@code batch.classes}
 * @param defaultValue the value used when it is not given, or null if it is required
 * @param description one line for the usage text
 */
public record Option(String key, String defaultValue, String description) {}
