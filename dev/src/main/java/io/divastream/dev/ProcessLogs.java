package io.divastream.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/** The log directory of a {@link FlinkSessionCluster}'s processes, read for diagnosis. */
final class ProcessLogs {

    private final Path directory;

    /**
     * Reads a log directory.
     *
     * @param directory the directory
     */
    ProcessLogs(Path directory) {
        this.directory = directory;
    }

    /** The files, sorted by name. */
    List<Path> files() {
        try (var files = Files.list(directory)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines that report errors, each prefixed with its file's name. */
    String errorLines(int max) {
        return lines(l -> l.contains("ERROR") || l.contains("Exception") || l.contains("Error:"), max);
    }

    /** At most {@code max} lines that match, file by file, each prefixed with its file's name. */
    String lines(Predicate<String> match, int max) {
        StringBuilder out = new StringBuilder();
        int[] count = {0};
        for (Path file : files()) {
            try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                lines.filter(match).limit(Math.max(0, max - count[0])).forEach(l -> {
                    out.append(file.getFileName()).append(": ").append(l).append('\n');
                    count[0]++;
                });
            } catch (IOException | UncheckedIOException e) {
                out.append(file.getFileName())
                        .append(": unreadable (")
                        .append(e.getMessage())
                        .append(")\n");
            }
        }
        return out.toString();
    }
}
