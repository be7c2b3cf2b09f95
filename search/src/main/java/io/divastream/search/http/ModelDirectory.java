package io.divastream.search.http;

import io.divastream.model.export.ArtefactStore;
import io.divastream.model.export.ExportedModel;
import io.divastream.model.export.ModelExport;
import io.divastream.model.export.ModelManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exported models the service embeds uploads with: a directory whose sub-directories are artefacts
 * written by {@link ModelExport} (the job's {@code --export.dir} names them {@code v<version>-<sha prefix>};
 * any names are accepted, the manifest counts).
 *
 * <p>Two modes. <b>Committed</b> ({@link #committed}): the model of a version is only the artefact whose
 * manifest version and parameter SHA-256 equal the version's committed {@code diva.model-versions} record
 * ({@link #commit}, fed by {@link ModelVersionsFollower}); an artefact of that version with another SHA-256
 * (a version a failed attempt of the job trained differently) is refused and logged, and a version with no
 * committed record has no model. {@link #preloadNewest} loads the newest committed version's artefact as soon
 * as it appears, so the upload model is ready when the index switches. <b>Any</b> ({@link
 * #ModelDirectory(Path)}): the first artefact whose manifest has the version (for artefacts written by the
 * {@code export} command).
 *
 * <p>At most two models stay loaded: the one last asked for (the served version) and the newest committed
 * one. Loading happens outside the lock. Thread-safe.
 */
public final class ModelDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelDirectory.class);

    private final Path root;
    private final boolean committedOnly;
    private final Duration patience;
    private final Map<Long, String> committed = new HashMap<>();
    private final TreeMap<Long, ExportedModel> loaded = new TreeMap<>();
    private final Set<Path> refused = new HashSet<>();
    private long newestCommitted = -1;
    private long lastAsked = -1;
    private long waitingSince;
    private boolean waitReported;
    private boolean waitLogged;
    private boolean closed;

    /**
     * Creates the source of any artefact with the version asked for.
     *
     * @param root the directory of artefacts (may not exist yet; then no model is available)
     */
    public ModelDirectory(Path root) {
        this(root, false, Duration.ZERO);
    }

    private ModelDirectory(Path root, boolean committedOnly, Duration patience) {
        this.root = root;
        this.committedOnly = committedOnly;
        this.patience = patience;
    }

    /**
     * Creates the source of committed versions' artefacts only.
     *
     * @param root the directory of artefacts (the job's {@code --export.dir}, shared storage)
     * @param patience how long the artefact of a committed version may take to appear before an error is
     *     logged (it is still looked for afterwards)
     * @return the directory
     */
    public static ModelDirectory committed(Path root, Duration patience) {
        return new ModelDirectory(root, true, patience);
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
     * Tells whether only committed versions' artefacts are loaded.
     *
     * @return true in committed mode
     */
    public boolean committedOnly() {
        return committedOnly;
    }

    /**
     * Records a committed model version (a {@code diva.model-versions} record read with read_committed).
     *
     * @param version the model version
     * @param sha256 the SHA-256 of its parameters
     */
    public void commit(long version, String sha256) {
        ExportedModel stale = null;
        synchronized (this) {
            String previous = committed.put(version, sha256);
            if (previous != null && !previous.equals(sha256)) {
                LOG.warn("model version {} committed again with other parameters (sha256 {}, before {})", version,
                        sha256, previous);
                stale = loaded.remove(version);
            }
            if (version > newestCommitted) {
                newestCommitted = version;
                waitingSince = System.nanoTime();
                waitReported = false;
                waitLogged = false;
            }
        }
        if (stale != null) {
            stale.close();
        }
    }

    /**
     * Returns the newest committed version.
     *
     * @return the version, or -1 if none was committed
     */
    public synchronized long newestCommitted() {
        return newestCommitted;
    }

    /**
     * Returns the versions whose models are loaded.
     *
     * @return the versions, ascending
     */
    public synchronized List<Long> loadedVersions() {
        return List.copyOf(loaded.keySet());
    }

    /**
     * Returns the model of a version, loading it if needed.
     *
     * @param version the model version
     * @return the model, or empty if there is no (committed) artefact of that version in the directory
     * @throws UncheckedIOException if the artefact exists but cannot be loaded
     */
    public Optional<ExportedModel> forVersion(long version) {
        String sha;
        synchronized (this) {
            lastAsked = version;
            ExportedModel model = loaded.get(version);
            if (model != null) {
                return Optional.of(model);
            }
            sha = committed.get(version);
            if (committedOnly && sha == null) {
                return Optional.empty();
            }
        }
        try {
            return load(version, sha);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads the newest committed version's model if its artefact has appeared; logs an error once if it has
     * not appeared within the patience. Called periodically by the follower of the model versions.
     *
     * @return true if the newest committed version's model is loaded
     */
    public boolean preloadNewest() {
        long version;
        String sha;
        synchronized (this) {
            version = newestCommitted;
            if (version < 0 || closed) {
                return false;
            }
            if (loaded.containsKey(version)) {
                return true;
            }
            sha = committed.get(version);
        }
        try {
            if (load(version, sha).isPresent()) {
                return true;
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot load the artefact of model version {} yet: {}", version, e.getMessage());
        }
        synchronized (this) {
            long waited = System.nanoTime() - waitingSince;
            if (!waitLogged && version == newestCommitted) {
                waitLogged = true;
                LOG.info("waiting for the artefact {} of committed model version {} in {}",
                        ArtefactStore.name(version, sha), version, root);
            }
            if (!waitReported && version == newestCommitted && waited >= patience.toNanos()) {
                waitReported = true;
                LOG.error("model version {} (parameters sha256 {}) was committed {} s ago, but {} holds no artefact"
                                + " {} with that SHA-256: is it the job's --export.dir, on storage both share? Uploads"
                                + " at that version get 503 until it appears; still looking",
                        version, sha, Duration.ofNanos(waited).toSeconds(), root, ArtefactStore.name(version, sha));
            }
        }
        return false;
    }

    private Optional<ExportedModel> load(long version, String sha) throws IOException {
        Optional<Path> dir = find(version, sha);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        ExportedModel model = ExportedModel.load(dir.get(), sha);
        List<ExportedModel> evicted = new java.util.ArrayList<>();
        ExportedModel winner;
        synchronized (this) {
            if (closed) {
                evicted.add(model);
                winner = null;
            } else if (sha != null && !sha.equals(committed.get(version))) {
                // committed again with other parameters while it loaded
                evicted.add(model);
                winner = null;
            } else {
                ExportedModel existing = loaded.putIfAbsent(version, model);
                if (existing != null) {
                    evicted.add(model);
                    winner = existing;
                } else {
                    winner = model;
                    LOG.info("loaded model version {} (parameters sha256 {}) from {}", version,
                            model.manifest().parameterSha256(), dir.get());
                }
                for (Long v : List.copyOf(loaded.keySet())) {
                    if (v != version && v != lastAsked && v != newestCommitted) {
                        evicted.add(loaded.remove(v));
                    }
                }
            }
        }
        for (ExportedModel m : evicted) {
            m.close();
        }
        return Optional.ofNullable(winner);
    }

    /** The artefact of a version (and SHA-256, if given): by its job-given name first, then by manifests. */
    private Optional<Path> find(long version, String sha) {
        if (sha != null) {
            Optional<Path> named = new ArtefactStore(root).find(version, sha);
            if (named.isPresent()) {
                return named;
            }
        }
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        List<Path> dirs;
        try (Stream<Path> entries = Files.list(root)) {
            dirs = entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isRegularFile(p.resolve(ModelExport.MANIFEST))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        for (Path d : dirs) {
            Path manifestFile = d.resolve(ModelExport.MANIFEST);
            try {
                ModelManifest m = ModelManifest.fromJson(Files.readString(manifestFile, StandardCharsets.UTF_8),
                        manifestFile.toString());
                if (m.modelVersion() != version) {
                    continue;
                }
                if (sha == null || sha.equals(m.parameterSha256())) {
                    return Optional.of(d);
                }
                refuse(d, "its parameters' SHA-256 " + m.parameterSha256() + " is not the committed " + sha
                        + " of model version " + version);
            } catch (IOException | IllegalArgumentException e) {
                refuse(d, e.getMessage());
            }
        }
        return Optional.empty();
    }

    private synchronized void refuse(Path dir, String why) {
        if (refused.add(dir)) {
            LOG.warn("refusing the artefact {}: {}", dir, why);
        }
    }

    @Override
    public void close() {
        List<ExportedModel> models;
        synchronized (this) {
            closed = true;
            models = List.copyOf(loaded.values());
            loaded.clear();
        }
        for (ExportedModel m : models) {
            m.close();
        }
    }
}
