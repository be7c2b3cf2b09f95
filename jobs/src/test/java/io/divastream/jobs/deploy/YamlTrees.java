package io.divastream.jobs.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** Reads the deployment files (compose, Kubernetes, Prometheus) as trees of maps and lists, for the tests. */
final class YamlTrees {

    private YamlTrees() {}

    /** Reads a YAML file's top-level mapping. */
    static Map<String, Object> read(Path file) throws IOException {
        return new Yaml().load(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** A mapping node, or an empty map for an absent one. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        return node == null ? Map.of() : (Map<String, Object>) node;
    }

    /** A sequence node, or an empty list for an absent one. */
    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        return node == null ? List.of() : (List<Object>) node;
    }
}
