package io.divastream.search.http;

import io.divastream.model.export.ExportedModel;
import io.divastream.model.export.ModelExport;
import io.divastream.model.export.ModelManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exported models the service embeds uploads with: a directory whose sub-directories are
 * artefacts written by {@link ModelExport} (any names; the manifest's {@code modelVersion} counts).
 * {@link #forVersion} loads the artefact of the requested version on first use and keeps the one
 * model loaded; a request for another version closes it and loads that one. Thread-safe.
 */
public final class ModelDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelDirectory.class);

    private final Path root;
    private ExportedModel loaded;

    /**
     * Creates the source.
     *
     * @param root the directory of artefacts (may not exist yet; then no model is available)
     */
    public ModelDirectory(Path root) {
        this.root = root;
    }

    /**
     * Returns the directory.
     *
     * @return the root
     */
    public Path root() {
        return root;
    }

    /**
     * Returns the model of a version, loading it if needed.
     *
     * @param version the model version
     * @return the model, or empty if no artefact of that version is in the directory
     * @throws UncheckedIOException if the artefact exists but cannot be loaded
     */
    public synchronized Optional<ExportedModel> forVersion(long version) {
        if (loaded != null && loaded.version() == version) {
            return Optional.of(loaded);
        }
        Optional<Path> dir = find(version);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        if (loaded != null) {
            loaded.close();
            loaded = null;
        }
        try {
            loaded = ExportedModel.load(dir.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.info("loaded model version {} from {}", version, dir.get());
        return Optional.of(loaded);
    }

    private Optional<Path> find(long version) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        List<Path> dirs;
        try (Stream<Path> entries = Files.list(root)) {
            dirs = entries.filter(p -> Files.isRegularFile(p.resolve(ModelExport.MANIFEST))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        for (Path d : dirs) {
            Path manifest = d.resolve(ModelExport.MANIFEST);
            try {
                if (ModelManifest.fromJson(Files.readString(manifest, StandardCharsets.UTF_8), manifest.toString())
                        .modelVersion() == version) {
                    return Optional.of(d);
                }
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("ignoring {}: {}", manifest, e.getMessage());
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        if (loaded != null) {
            loaded.close();
            loaded = null;
        }
    }
}
