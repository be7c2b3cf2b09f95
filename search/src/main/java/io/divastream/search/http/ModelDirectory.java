package io.divastream.search.http;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.artefacts.ExportedModel;
import io.divastream.artefacts.ModelExport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exported models the service embeds uploads with: a directory whose sub-directories are artefacts
 * written by {@link ModelExport} (the job's {@code --export.dir} names them {@code v<version>-<sha prefix>};
 * any names are accepted, the manifest counts).
 *
 * <p>Two modes. <b>Committed</b> ({@link #committed}): the model of a version is only the artefact whose
 * parameters and manifest hash to the SHA-256s of the version's committed {@code diva.model-versions}
 * record ({@link #commit}, fed by {@link ModelVersionsFollower}; a record without a manifest digest, from an
 * older job, has its parameters checked only); any other artefact of that version is refused, and a
 * version with no committed record has no model. {@link #preloadNewest} loads the newest committed
 * version's artefact as soon as it appears, so the upload model is ready when the index switches. <b>Any</b>
 * ({@link #ModelDirectory(Path)}): the first artefact whose manifest has the version (for artefacts written
 * by the {@code export} command).
 *
 * <p>A refused artefact (missing file, wrong digest, unreadable manifest, parameters that do not fit) is
 * logged once at WARN and remembered with the sizes and times of its files: it is not read again until
 * they change. Every answer about a missing model ({@link Lookup#problem()}, {@link #problems}) is one line
 * that names the model version and the artefact directory but no file-system path.
 *
 * <p>At most two models stay loaded: the one last asked for (the served version) and the newest committed
 * one. Loading happens outside the lock. Thread-safe.
 */
public final class ModelDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelDirectory.class);

    /**
     * What a committed {@code diva.model-versions} record says about a version's artefact.
     *
     * @param parameterSha256 the SHA-256 of its parameters
     * @param manifestSha256 the SHA-256 of its manifest file, or null in records of jobs before the field
     * @param createdAt when the job published the version, or null if unknown
     */
    public record Commit(String parameterSha256, String manifestSha256, Instant createdAt) {
        /** Checks the parameters' digest is there. */
        public Commit {
            Objects.requireNonNull(parameterSha256, "parameterSha256");
        }

        private boolean sameArtefact(Commit other) {
            return parameterSha256.equals(other.parameterSha256)
                    && Objects.equals(manifestSha256, other.manifestSha256);
        }
    }

    /** Why a version has no model. */
    public enum Missing {
        /** Committed mode: no committed record of the version. */
        NO_RECORD,
        /** No artefact of the version (and SHA-256) in the directory. */
        NO_ARTEFACT,
        /** Its artefact is there but refused. */
        REFUSED
    }

    /**
     * The model of a version, or why there is none.
     *
     * @param model the model, or null
     * @param missing why there is none, or null
     * @param problem one line naming the version and what is wrong (no file-system path), or null
     */
    public record Lookup(ExportedModel model, Missing missing, String problem) {

        /**
         * Returns the model, if there is one.
         *
         * @return the model
         */
        public Optional<ExportedModel> asOptional() {
            return Optional.ofNullable(model);
        }
    }

    /** An artefact that was refused, and the state of its files then. */
    private record Refusal(String fingerprint, Commit expected, String problem) {}

    private final Path root;
    private final boolean committedOnly;
    private final Duration patience;
    private final Duration staleAfter;
    private final Map<Long, Commit> committed = new HashMap<>();
    private final TreeMap<Long, ExportedModel> loaded = new TreeMap<>();
    private final Map<Path, Refusal> refusals = new HashMap<>();
    private final RefusalLog warnings = new RefusalLog(LOG);
    private final ArtefactFinder finder;
    private long newestCommitted = -1;
    private Lookup newestLookup;
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
        this(root, false, Duration.ZERO, null);
    }

    private ModelDirectory(Path root, boolean committedOnly, Duration patience, Duration staleAfter) {
        this.root = root.toAbsolutePath().normalize();
        this.committedOnly = committedOnly;
        this.patience = Objects.requireNonNull(patience, "patience");
        this.staleAfter = staleAfter;
        this.finder = new ArtefactFinder(this.root, warnings);
    }

    /**
     * Creates the source of committed versions' artefacts only.
     *
     * @param root the directory of artefacts (the job's {@code --export.dir}, shared storage)
     * @param patience how long the artefact of a committed version may take to appear before an error is
     *     logged and {@link #problems} reports it (it is still looked for afterwards)
     * @return the directory
     */
    public static ModelDirectory committed(Path root, Duration patience) {
        return committed(root, patience, null);
    }

    /**
     * Creates the source of committed versions' artefacts only, which also reports a newest committed
     * version older than a bound (the job may have stopped publishing).
     *
     * @param root the directory of artefacts
     * @param patience as for {@link #committed(Path, Duration)}
     * @param staleAfter the age of the newest committed version beyond which {@link #problems} reports it;
     *     null: never
     * @return the directory
     */
    public static ModelDirectory committed(Path root, Duration patience, Duration staleAfter) {
        return new ModelDirectory(root, true, patience, staleAfter);
    }

    /**
     * Returns the directory.
     *
     * @return the root, absolute
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
     * @param commit the digests of its artefact and its creation time
     */
    public void commit(long version, Commit commit) {
        Objects.requireNonNull(commit, "commit");
        ExportedModel stale = null;
        synchronized (this) {
            Commit previous = committed.put(version, commit);
            if (previous != null && !previous.sameArtefact(commit)) {
                LOG.warn(
                        "model version {} committed again with another artefact (parameters sha256 {}, manifest"
                                + " sha256 {}; before {}, {})",
                        version,
                        commit.parameterSha256(),
                        commit.manifestSha256(),
                        previous.parameterSha256(),
                        previous.manifestSha256());
                stale = loaded.remove(version);
            }
            if (version > newestCommitted) {
                newestCommitted = version;
                newestLookup = null;
                waitingSince = System.nanoTime();
                waitReported = false;
                waitLogged = false;
            }
        }
        if (commit.manifestSha256() == null) {
            warnings.refuse(
                    "no-manifest-digest",
                    "the committed record of model version " + version
                            + " has no manifestSha256 (a job before the field wrote it): the manifests of such versions' "
                            + "artefacts are not checked, only their parameters");
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
     * @return the model, or empty if there is no usable (committed) artefact of that version
     */
    public Optional<ExportedModel> forVersion(long version) {
        return lookup(version).asOptional();
    }

    /**
     * Returns the model of a version, loading it if needed, or why there is none.
     *
     * @param version the model version
     * @return the model or the problem
     */
    public Lookup lookup(long version) {
        Commit commit;
        synchronized (this) {
            lastAsked = version;
            ExportedModel model = loaded.get(version);
            if (model != null) {
                return new Lookup(model, null, null);
            }
            commit = committed.get(version);
            if (committedOnly && commit == null) {
                return new Lookup(
                        null,
                        Missing.NO_RECORD,
                        "model version " + version + " has no committed record on the model-versions topic yet");
            }
        }
        return load(version, commit);
    }

    /**
     * Loads the newest committed version's model if its artefact has appeared; logs an error once if it has
     * not appeared within the patience. Called periodically by the follower of the model versions.
     *
     * @return true if the newest committed version's model is loaded
     */
    public boolean preloadNewest() {
        long version;
        Commit commit;
        synchronized (this) {
            version = newestCommitted;
            if (version < 0 || closed) {
                return false;
            }
            if (loaded.containsKey(version)) {
                return true;
            }
            commit = committed.get(version);
        }
        Lookup lookup = load(version, commit);
        synchronized (this) {
            if (version != newestCommitted) {
                return false;
            }
            newestLookup = lookup;
            if (lookup.model() != null) {
                return true;
            }
            if (lookup.missing() != Missing.NO_ARTEFACT) {
                return false; // refused: logged once by load
            }
            long waited = System.nanoTime() - waitingSince;
            if (!waitLogged) {
                waitLogged = true;
                LOG.info(
                        "waiting for the artefact {} of committed model version {} in {}",
                        ArtefactStore.name(version, commit.parameterSha256()),
                        version,
                        root);
            }
            if (!waitReported && waited >= patience.toNanos()) {
                waitReported = true;
                LOG.error(
                        "model version {} (parameters sha256 {}) was committed {} s ago, but {} holds no artefact"
                                + " {} with that SHA-256: is it the job's --export.dir, on storage both share? Uploads"
                                + " at that version get 503 until it appears; still looking",
                        version,
                        commit.parameterSha256(),
                        Duration.ofNanos(waited).toSeconds(),
                        root,
                        ArtefactStore.name(version, commit.parameterSha256()));
            }
        }
        return false;
    }

    /**
     * What is wrong with the model versions apart from the served one's model (which the caller asks for
     * with {@link #lookup}): the newest committed version's artefact refused, or missing longer than the
     * patience, while another version is served; the newest committed version older than the stale bound.
     *
     * @param servedVersion the version the index serves, -1 if none
     * @return one line per problem, no file-system paths; empty if none
     */
    public List<String> problems(long servedVersion) {
        List<String> out = new ArrayList<>();
        long version;
        Instant createdAt;
        synchronized (this) {
            version = newestCommitted;
            if (version < 0) {
                return out;
            }
            Lookup l = newestLookup;
            if (version != servedVersion && !loaded.containsKey(version) && l != null && l.model() == null) {
                if (l.missing() == Missing.REFUSED) {
                    out.add("newest committed model version " + version + ": " + l.problem());
                } else if (waitReported) {
                    out.add("newest committed model version " + version + ": no artefact "
                            + ArtefactStore.name(version, committed.get(version).parameterSha256())
                            + " in the models directory "
                            + Duration.ofNanos(System.nanoTime() - waitingSince).toSeconds()
                            + " s after its record (--artefact-wait " + patience.toSeconds() + " s)");
                }
            }
            createdAt = committed.get(version).createdAt();
        }
        if (staleAfter != null && createdAt != null) {
            Duration age = Duration.between(createdAt, Instant.now());
            if (age.compareTo(staleAfter) > 0) {
                String problem = "the newest committed model version " + version + " was published " + age.toSeconds()
                        + " s ago (" + createdAt + "), longer than --stale-after " + staleAfter.toSeconds()
                        + " s: is the job still training?";
                warnings.refuse("stale-" + version, problem);
                out.add(problem);
            }
        }
        return out;
    }

    private Lookup load(long version, Commit commit) {
        String sha = commit == null ? null : commit.parameterSha256();
        Optional<Path> found;
        try {
            found = finder.find(version, sha);
        } catch (UncheckedIOException e) {
            warnings.refuse("list", "cannot list the models directory " + root + ": " + e.getMessage());
            return new Lookup(null, Missing.NO_ARTEFACT, "the models directory cannot be read");
        }
        if (found.isEmpty()) {
            return new Lookup(
                    null,
                    Missing.NO_ARTEFACT,
                    committedOnly
                            ? "no artefact " + ArtefactStore.name(version, sha) + " of model version " + version
                                    + " (with its committed parameters) in the models directory yet"
                            : "no exported model of model version " + version
                                    + " in the models directory (write one with the export command)");
        }
        Path dir = found.get();
        String fingerprint = ArtefactFinder.fingerprint(dir);
        synchronized (this) {
            Refusal r = refusals.get(dir);
            if (r != null && r.fingerprint().equals(fingerprint) && Objects.equals(r.expected(), commit)) {
                return new Lookup(null, Missing.REFUSED, r.problem());
            }
        }
        ExportedModel model;
        try {
            model = ExportedModel.load(dir, sha, commit == null ? null : commit.manifestSha256());
        } catch (IOException | RuntimeException e) {
            String problem = "artefact " + dir.getFileName() + " of model version " + version + " refused: "
                    + finder.withoutPaths(e.getMessage(), dir);
            synchronized (this) {
                refusals.put(dir, new Refusal(fingerprint, commit, problem));
            }
            warnings.refuse(
                    "artefact " + dir + " " + fingerprint + " " + commit,
                    "refusing the artefact " + dir + " of model version " + version + ": " + e.getMessage());
            return new Lookup(null, Missing.REFUSED, problem);
        }
        List<ExportedModel> evicted = new ArrayList<>();
        ExportedModel winner;
        synchronized (this) {
            if (closed) {
                evicted.add(model);
                winner = null;
            } else if (commit != null && !commit.sameArtefact(committed.get(version))) {
                // committed again with another artefact while it loaded
                evicted.add(model);
                winner = null;
            } else {
                refusals.remove(dir);
                ExportedModel existing = loaded.putIfAbsent(version, model);
                if (existing != null) {
                    evicted.add(model);
                    winner = existing;
                } else {
                    winner = model;
                    LOG.info(
                            "loaded model version {} (parameters sha256 {}, manifest {}) from {}",
                            version,
                            model.manifest().parameterSha256(),
                            commit == null || commit.manifestSha256() == null
                                    ? "not checked"
                                    : "sha256 " + commit.manifestSha256(),
                            dir);
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
        return winner != null
                ? new Lookup(winner, null, null)
                : new Lookup(
                        null, Missing.NO_ARTEFACT, "model version " + version + " changed while it loaded; try again");
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
