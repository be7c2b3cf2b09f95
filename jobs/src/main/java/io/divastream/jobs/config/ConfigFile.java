package io.divastream.jobs.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a configuration file: one {@code key = value} (or {@code key: value}) per line, whose keys
 * are the option names ({@code batch.classes}, ...); blank lines and lines starting with {@code #}
 * or {@code !} are comments. Values are taken literally after trimming (no escapes, no line
 * continuation, so a regular expression is written as on the command line). A key given twice is
 * an error, as a line that is neither a comment nor a key-value pair.
 */
public final class ConfigFile {

    /** A key, then {@code =} or {@code :}, then the value (possibly empty). */
    private static final Pattern LINE = Pattern.compile("\\s*([A-Za-z0-9._-]+)\\s*[=:]\\s?(.*)");

    /**
     * One value of a file.
     *
     * @param value the trimmed value
     * @param line its line number, from 1
     */
    public record Entry(String value, int line) {}

    private ConfigFile() {}

    /**
     * Reads a file.
     *
     * @param file the file
     * @return per key (in file order), its value and line
     * @throws ConfigException if the file cannot be read, a line is malformed or a key repeats
     */
    public static Map<String, Entry> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e);
        }
        return parse(file.toString(), lines);
    }

    /**
     * Parses the lines of a file.
     *
     * @param name the file's name for messages
     * @param lines its lines
     * @return per key (in file order), its value and line
     * @throws ConfigException if a line is malformed or a key repeats
     */
    public static Map<String, Entry> parse(String name, List<String> lines) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new ConfigException(
                        name + ":" + (i + 1) + ": expected 'key = value' or a # comment, got '" + trimmed + "'");
            }
            String key = m.group(1);
            Entry previous = entries.put(key, new Entry(m.group(2).strip(), i + 1));
            if (previous != null) {
                throw new ConfigException(
                        name + ":" + (i + 1) + ": key " + key + " is already set on line " + previous.line());
            }
        }
        return entries;
    }
}
