package io.divastream.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The model's packages depend on each other without a cycle: every reference to a type of another
 * package of the module (an import, or a qualified name in code or documentation) counts.
 */
class PackageCyclesTest {

    private static final Path SOURCES = Path.of("src", "main", "java");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.divastream\\.model((?:\\.[a-z]\\w*)*)\\.[A-Z]");

    /** Package to the packages of the module it refers to. */
    static Map<String, Set<String>> dependencies(Path sources) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path file : files) {
            String pkg = sources.relativize(file.getParent())
                    .toString()
                    .replace(file.getFileSystem().getSeparator(), ".");
            Set<String> targets = out.computeIfAbsent(pkg, k -> new TreeSet<>());
            Matcher m = REFERENCE.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
                String target = "io.divastream.model" + m.group(1);
                if (!target.equals(pkg)) {
                    targets.add(target);
                }
            }
        }
        return out;
    }

    /** A path from a package back to itself, or an empty list. */
    static List<String> cycle(Map<String, Set<String>> graph) {
        for (String start : graph.keySet()) {
            Deque<List<String>> paths = new ArrayDeque<>();
            paths.add(List.of(start));
            Set<String> seen = new TreeSet<>();
            while (!paths.isEmpty()) {
                List<String> path = paths.poll();
                for (String next : graph.getOrDefault(path.get(path.size() - 1), Set.of())) {
                    List<String> longer = new ArrayList<>(path);
                    longer.add(next);
                    if (next.equals(start)) {
                        return longer;
                    }
                    if (seen.add(next)) {
                        paths.add(longer);
                    }
                }
            }
        }
        return List.of();
    }

    @Test
    void theModelsPackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> graph = dependencies(SOURCES);
        assertThat(graph)
                .containsKeys(
                        "io.divastream.model.config", "io.divastream.model.net", "io.divastream.model.net.backbone");
        assertThat(graph.get("io.divastream.model.net")).contains("io.divastream.model.config");
        assertThat(cycle(graph)).as("a cycle of package dependencies").isEmpty();
    }

    @Test
    void theCheckFindsACycle() {
        Map<String, Set<String>> graph =
                new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d")));
        assertThat(cycle(graph)).containsExactly("a", "b", "c", "a"); // from the first package in order
        assertThat(cycle(Map.of("a", Set.of("b"), "b", Set.of("c")))).isEmpty();
    }
}
