package io.divastream.jobs.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The parameters' SHA-256 of the newest versions published, part of {@link VersionPublisher}'s checkpoint: after a
 * restore the versions published again replace those of the failed attempt, so the digest of a version is the one
 * its committed records carry, and a rollback finds that version's artefact and no other attempt's.
 */
final class PublishedVersions {

    /** How many versions are remembered. */
    static final int REMEMBERED = 1000;

    private final TreeMap<Long, String> sha256 = new TreeMap<>();

    /** Records a published version, forgetting the oldest beyond {@value #REMEMBERED}. */
    void published(long version, String parameterSha256) {
        sha256.put(version, parameterSha256);
        while (sha256.size() > REMEMBERED) {
            sha256.pollFirstEntry();
        }
    }

    /** The parameters' SHA-256 of a version, if remembered. */
    Optional<String> sha256(long version) {
        return Optional.ofNullable(sha256.get(version));
    }

    /** The oldest remembered version, -1 if none. */
    long oldest() {
        return sha256.isEmpty() ? -1 : sha256.firstKey();
    }

    /** Writes the versions (part of the trainer's checkpoint). */
    void save(DataOutputStream out) throws IOException {
        out.writeInt(sha256.size());
        for (Map.Entry<Long, String> e : sha256.entrySet()) {
            out.writeLong(e.getKey());
            out.writeUTF(e.getValue());
        }
    }

    /** Reads what {@link #save} wrote. */
    void load(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > REMEMBERED) {
            throw new IOException("the checkpoint holds " + n + " published versions, at most " + REMEMBERED);
        }
        sha256.clear();
        for (int i = 0; i < n; i++) {
            sha256.put(in.readLong(), in.readUTF());
        }
    }
}
