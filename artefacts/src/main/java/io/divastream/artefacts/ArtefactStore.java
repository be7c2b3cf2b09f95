package io.divastream.artefacts;

import io.divastream.images.ImageSpec;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of model artefacts ({@link ModelExport}) named by model version and parameter SHA-256:
 * {@code v<version>-<first 12 hex digits of the SHA-256>}. The streaming job writes one per published
 * version; the search service picks the one whose version and SHA-256 equal a committed
 * {@code diva.model-versions} record.
 *
 * <p>The name is a function of the content: a directory of that name is never rewritten ({@link #write}
 * leaves it as it is). An artefact appears at once, complete (written into a temporary sibling, then
 * renamed), and disappears at once ({@link #retain} renames it to a hidden name before deleting it), so
 * a reader never sees half of one. One writer per directory; any number of readers. Stateless apart
 * from the path.
 */
public final class ArtefactStore {

    /** Hex digits of the parameters' SHA-256 in an artefact's name. */
    public static final int SHA_PREFIX = 12;

    /** Hidden temporary directories older than this many minutes are left-overs of a writer that died. */
    public static final long STALE_STAGING_MINUTES = 10;

    private static final Pattern NAME = Pattern.compile("v(\\d{1,19})-([0-9a-f]{" + SHA_PREFIX + "})");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String DELETING = ".deleting-";

    /**
     * The file naming the promoted model version (its decimal number and a newline): the version the job's
     * promotion decisions serve, written once the checkpoint that commits the decision completes. Readers that
     * serve the export should load this version's artefact only (with the SHA-256 of its committed record).
     */
    public static final String PROMOTED = "PROMOTED";

    /** The most bytes of {@value #PROMOTED} read: a long and a newline. */
    private static final int PROMOTED_MAX_BYTES = 24;

    /**
     * An artefact directory of the store.
     *
     * @param version the model version in its name
     * @param shaPrefix the first {@value #SHA_PREFIX} hex digits of the parameters' SHA-256 in its name
     * @param dir the directory
     * @param modified its last-modified time
     */
    public record Entry(long version, String shaPrefix, Path dir, FileTime modified) {

        /**
         * Tells whether this is the artefact of a version and parameter SHA-256 (by its name).
         *
         * @param version the model version
         * @param sha256 the full hex SHA-256
         * @return true if both match
         */
        public boolean matches(long version, String sha256) {
            return this.version == version && sha256.startsWith(shaPrefix);
        }
    }

    /**
     * What {@link #write} did.
     *
     * @param dir the artefact directory
     * @param created true if it was written now, false if a directory of that name was already there
     */
    public record Written(Path dir, boolean created) {}

    private final Path root;

    /**
     * Opens a store (nothing is created until the first write).
     *
     * @param root the directory holding the artefacts
     */
    public ArtefactStore(Path root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    public Path root() {
        return root;
    }

    /**
     * The name of a version's artefact.
     *
     * @param version the model version, not negative
     * @param sha256 the parameters' SHA-256, 64 lower-case hex digits
     * @return {@code v<version>-<first 12 hex digits>}
     * @throws IllegalArgumentException if the version is negative or the SHA-256 is not 64 lower-case hex digits
     */
    public static String name(long version, String sha256) {
        if (version < 0) {
            throw new IllegalArgumentException("model version must not be negative, got " + version);
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a lower-case hex SHA-256: '" + sha256 + "'");
        }
        return "v" + version + "-" + sha256.substring(0, SHA_PREFIX);
    }

    /**
     * The directory a version's artefact has (whether or not it exists).
     *
     * @param version the model version
     * @param sha256 the parameters' SHA-256
     * @return {@code root/v<version>-<sha prefix>}
     */
    public Path dirFor(long version, String sha256) {
        return root.resolve(name(version, sha256));
    }

    /**
     * Writes a version's artefact unless a directory of its name exists (same name, same content).
     *
     * @param spec the network
     * @param glyphSpec the decoder spec of a glyph network (see {@link ModelExport#write})
     * @param headWeights per head, its weight in the combined embedding
     * @param snapshot the version's parameters
     * @return the directory and whether it was written now
     * @throws IOException if writing fails (nothing is left under the artefact's name then)
     */
    public Written write(NetworkSpec spec, ImageSpec glyphSpec, double[] headWeights, ModelSnapshot snapshot)
            throws IOException {
        return write(spec, glyphSpec, null, headWeights, snapshot);
    }

    /**
     * Writes a model version's artefact unless it is there already, for any network ({@link ModelExport#write(
     * Path, NetworkSpec, ImageSpec, FrozenBackbone, double[], ModelSnapshot)}).
     *
     * @param spec the network
     * @param glyphSpec the decoder spec of a glyph network
     * @param frozen the frozen backbone of heads trained on its features, else null
     * @param headWeights per head, its weight in the combined embedding
     * @param snapshot the version's parameters
     * @return the directory and whether it was written now
     * @throws IOException if writing fails (nothing is left under the artefact's name then)
     */
    public Written write(
            NetworkSpec spec, ImageSpec glyphSpec, FrozenBackbone frozen, double[] headWeights, ModelSnapshot snapshot)
            throws IOException {
        Path dir = dirFor(snapshot.version(), snapshot.sha256());
        if (Files.isDirectory(dir)) {
            return new Written(dir, false);
        }
        Files.createDirectories(root);
        ModelExport.write(dir, spec, glyphSpec, frozen, headWeights, snapshot);
        return new Written(dir, true);
    }

    /**
     * Records the promoted version ({@value #PROMOTED}), replacing the file at once (a temporary sibling renamed
     * over it).
     *
     * @param version the promoted version
     * @throws IOException if it cannot be written
     */
    public void writePromoted(long version) throws IOException {
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative, got " + version);
        }
        Files.createDirectories(root);
        Path staging = root.resolve("." + PROMOTED + "-" + HexFormat.of().toHexDigits(System.nanoTime()));
        Files.writeString(staging, version + "\n");
        Files.move(
                staging, root.resolve(PROMOTED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The promoted version ({@value #PROMOTED}).
     *
     * @return it, or empty if the file is missing or does not hold a version
     * @throws UncheckedIOException if the file exists but cannot be read
     */
    public OptionalLong promoted() {
        Path file = root.resolve(PROMOTED);
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(PROMOTED_MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String text = new String(bytes, java.nio.charset.StandardCharsets.US_ASCII).strip();
        if (bytes.length > PROMOTED_MAX_BYTES || !text.matches("\\d{1,18}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(text));
    }

    /**
     * Lists the artefacts, newest first: by version, then (for re-trained versions with another SHA-256)
     * by last-modified time. Directories whose names are not artefact names are not listed.
     *
     * @return the artefacts; empty if the root does not exist
     * @throws UncheckedIOException if the root cannot be listed
     */
    public List<Entry> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(p)) {
                    continue;
                }
                try {
                    out.add(new Entry(Long.parseLong(m.group(1)), m.group(2), p, Files.getLastModifiedTime(p)));
                } catch (NumberFormatException | NoSuchFileException e) {
                    // a version beyond long, or deleted since it was listed
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the artefacts in " + root, e);
        }
        out.sort(Comparator.comparingLong(Entry::version)
                .thenComparing(Entry::modified)
                .reversed());
        return out;
    }

    /**
     * Finds the artefact of a version and parameter SHA-256 by its name. The caller still has to check the
     * manifest's full SHA-256 ({@link ExportedModel#load(Path, String)} does).
     *
     * @param version the model version
     * @param sha256 the parameters' full SHA-256
     * @return its directory, if it holds a manifest
     */
    public Optional<Path> find(long version, String sha256) {
        Path dir = dirFor(version, sha256);
        return Files.isRegularFile(dir.resolve(ModelExport.MANIFEST)) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * Deletes the artefacts beyond the newest {@code keep} ({@link #list()} order), never {@code protect} nor an
     * artefact of the {@linkplain #promoted() promoted version},
     * and temporary directories that a writer left behind more than {@value #STALE_STAGING_MINUTES}
     * minutes ago. Each artefact is first renamed to a hidden name, so it disappears at once.
     *
     * @param keep how many artefacts to keep, at least 1
     * @param protect an artefact directory never to delete (the one just written), or null
     * @return the artefact directories deleted
     * @throws IOException if one cannot be deleted
     */
    public List<Path> retain(int keep, Path protect) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("must keep at least one artefact, got " + keep);
        }
        List<Path> deleted = new ArrayList<>();
        List<Entry> entries = list();
        Path kept = protect == null ? null : protect.toAbsolutePath().normalize();
        OptionalLong promoted = promoted();
        for (int i = keep; i < entries.size(); i++) {
            Path dir = entries.get(i).dir();
            if (dir.toAbsolutePath().normalize().equals(kept)
                    || (promoted.isPresent() && entries.get(i).version() == promoted.getAsLong())) {
                continue;
            }
            Path hidden = root.resolve(
                    DELETING + dir.getFileName() + "-" + HexFormat.of().toHexDigits(System.nanoTime()));
            try {
                Files.move(dir, hidden, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                continue;
            }
            deleteTree(hidden);
            deleted.add(dir);
        }
        deleteStale();
        return deleted;
    }

    private void deleteStale() throws IOException {
        Instant before = Instant.now().minus(Duration.ofMinutes(STALE_STAGING_MINUTES));
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.startsWith(DELETING)
                                || n.startsWith("." + PROMOTED + "-")
                                || (n.startsWith(".v")
                                        && NAME.matcher(n.substring(1)).lookingAt());
                    })
                    .forEach(stale::add);
        }
        for (Path p : stale) {
            try {
                if (p.getFileName().toString().startsWith(DELETING)
                        || Files.getLastModifiedTime(p).toInstant().isBefore(before)) {
                    deleteTree(p);
                }
            } catch (NoSuchFileException e) {
                // gone already
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (NoSuchFileException e) {
            return;
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
