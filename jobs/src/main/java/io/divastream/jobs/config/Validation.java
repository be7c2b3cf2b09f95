package io.divastream.jobs.config;

import io.divastream.model.DeviceRequest;
import io.divastream.model.DeviceSelection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;

/**
 * Checks of option values beyond their type and range, each failing with a one-line {@link
 * ConfigException} that names the option.
 */
final class Validation {

    /** Kafka's rule for topic names: letters, digits, {@code .}, {@code _} and {@code -}, at most 249. */
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    /** A host (name, IPv4, or bracketed IPv6) and a port. */
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+]):(\\d{1,5})");

    /** Characters Kafka accepts in a transactional id (this prefix is followed by generated parts). */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]+");

    /** A URI scheme: a letter, then letters, digits, {@code +}, {@code -} or {@code .}. */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:.*");

    private Validation() {}

    /** A comma-separated list of {@code host:port} with ports 1 to 65535. */
    static void bootstrapServers(String key, String value) {
        if (value.isEmpty()) {
            throw new ConfigException("option --" + key + " must not be empty");
        }
        for (String item : value.split(",", -1)) {
            var m = HOST_PORT.matcher(item.trim());
            if (!m.matches()) {
                throw new ConfigException("option --" + key + " must list host:port pairs, got '" + item.trim() + "'");
            }
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65_535) {
                throw new ConfigException(
                        "option --" + key + " has port " + port + " outside 1 to 65535 in '" + item.trim() + "'");
            }
        }
    }

    /** A legal Kafka topic name. */
    static void topic(String key, String value) {
        if (!TOPIC.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new ConfigException("option --" + key + " must be a Kafka topic name (1 to 249 of letters, digits,"
                    + " '.', '_', '-'; not '.' or '..'), got '" + value + "'");
        }
    }

    /** No two of the topics are the same (the job would read its own output or mix record types). */
    static void distinctTopics(Configuration conf, List<DivaOption<String>> topics) {
        Map<String, String> seen = new HashMap<>();
        for (DivaOption<String> option : topics) {
            String topic = option.get(conf);
            String other = seen.putIfAbsent(topic, option.key());
            if (other != null) {
                throw new ConfigException("option --" + option.key() + " names topic '" + topic + "', as --" + other
                        + " does: every topic must be different");
            }
        }
    }

    /** A non-empty prefix of Kafka transactional ids. */
    static void transactionalIdPrefix(String key, String value) {
        if (!ID.matcher(value).matches()) {
            throw new ConfigException(
                    "option --" + key + " must be letters, digits, '.', '_' or '-', got '" + value + "'");
        }
    }

    /** Empty (Flink's default), a URI with a scheme ({@code file:///...}, {@code s3://...}) or an absolute path. */
    static void checkpointDirectory(String key, String value) {
        if (value.isEmpty()) {
            return;
        }
        if (SCHEME.matcher(value).matches()) {
            try {
                URI uri = new URI(value);
                if (uri.getScheme().equals("file")
                        && (uri.getPath() == null || !uri.getPath().startsWith("/"))) {
                    throw new ConfigException("option --" + key + " must be an absolute file URI such as"
                            + " file:///checkpoints, got '" + value + "'");
                }
            } catch (URISyntaxException e) {
                throw new ConfigException("option --" + key + " is not a valid URI: " + e.getMessage());
            }
            return;
        }
        if (!Path.of(value).isAbsolute()) {
            throw new ConfigException("option --" + key + " must be a URI such as file:///checkpoints or"
                    + " s3://bucket/dir, or an absolute path, got '" + value + "'");
        }
    }

    /** Empty (no export) or an absolute path of a directory (a file system path: artefacts are renamed into place). */
    static void exportDirectory(String key, String value) {
        if (value.isEmpty()) {
            return;
        }
        if (SCHEME.matcher(value).matches() && !value.startsWith("/")) {
            throw new ConfigException("option --" + key + " must be an absolute file system path (a directory on shared"
                    + " storage such as an NFS mount), not a URI, got '" + value + "'");
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException("option --" + key + " is not a valid path: " + e.getMessage());
        }
        if (!path.isAbsolute()) {
            throw new ConfigException("option --" + key + " must be an absolute path, got '" + value + "'");
        }
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new ConfigException("option --" + key + " is a file, not a directory: '" + value + "'");
        }
    }

    /** {@code auto}, {@code cpu} or {@code gpu}. */
    static DeviceRequest device(String text) {
        try {
            return DeviceRequest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be auto, cpu or gpu, got '" + text.trim() + "'");
        }
    }

    /** {@code auto} or a flavour this build's DJL has ({@link DeviceSelection#SUPPORTED_FLAVOURS}). */
    static void flavour(String key, String value) {
        if (!value.equals(DeviceSelection.ANY_FLAVOUR) && !DeviceSelection.SUPPORTED_FLAVOURS.contains(value)) {
            throw new ConfigException("option --" + key + " must be auto or a flavour DJL has for this PyTorch ("
                    + String.join(", ", DeviceSelection.SUPPORTED_FLAVOURS) + "), got '" + value + "'");
        }
    }

    /** {@code auto} or a number of batches from 0 to 10,000,000. */
    static void autoOrBatches(String key, String value) {
        if (value.equalsIgnoreCase("auto")) {
            return;
        }
        if (!value.matches("\\d{1,8}") || Integer.parseInt(value) > 10_000_000) {
            throw new ConfigException(
                    "option --" + key + " must be auto or a number of batches (0 to 10000000), got '" + value + "'");
        }
    }

    /** One non-negative, finite weight per head, not all zero. */
    static void headWeights(String key, List<Double> weights) {
        for (double w : weights) {
            if (!(w >= 0)) {
                throw new ConfigException("option --" + key + " must not be negative");
            }
            if (Double.isInfinite(w)) {
                throw new ConfigException("option --" + key + " must be finite, got " + w);
            }
        }
        if (weights.stream().allMatch(w -> w == 0)) {
            throw new ConfigException("option --" + key + " must not all be zero");
        }
    }

    /** Strictly between 0 and 1. */
    static void strictlyBetweenZeroAndOne(String key, double value) {
        if (!(value > 0 && value < 1)) {
            throw new ConfigException("option --" + key + " must be strictly between 0 and 1, got " + value);
        }
    }

    /** Ascending, distinct k of at least 1, at least one. */
    static void ascendingKs(String key, List<Integer> ks) {
        if (ks.isEmpty()) {
            throw new ConfigException("option --" + key + " must not be empty");
        }
        for (int i = 0; i < ks.size(); i++) {
            if (ks.get(i) < 1 || (i > 0 && ks.get(i) <= ks.get(i - 1))) {
                throw new ConfigException("option --" + key + " must list ascending, distinct k >= 1, got '"
                        + ks.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")) + "'");
            }
        }
    }

    /** 0 (off) or at least 2: retrieval needs two images of a class. */
    static void notOne(String key, int value) {
        if (value == 1) {
            throw new ConfigException("option --" + key
                    + " must be 0 (off) or at least 2 (retrieval needs two images of a class), got 1");
        }
    }
}
