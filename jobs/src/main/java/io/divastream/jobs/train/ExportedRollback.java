package io.divastream.jobs.train;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.artefacts.ExportedModel;
import io.divastream.jobs.config.JobConfig;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.Embedder;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a rollback command's parameters come from: the artefact the job exported for the version
 * (docs/continual.md). It must be the version's committed artefact (the SHA-256 published for it), complete,
 * and fit the job's network, since every embedder will load it.
 */
public final class ExportedRollback implements Serializable {

    private static final long serialVersionUID = 1L;

    private final JobConfig.ExportConfig export;

    /**
     * Creates the source.
     *
     * @param export the job's artefact export
     */
    public ExportedRollback(JobConfig.ExportConfig export) {
        this.export = export;
    }

    /** Why a rollback cannot apply. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /**
     * Reads a published version's parameters.
     *
     * @param version the version to roll back to
     * @param published the digests of the versions published
     * @param newest the newest version published, -1 if none
     * @param network the job's network
     * @return the parameters
     * @throws Refused with a one-line reason if the version cannot be rolled back to
     */
    ModelSnapshot load(long version, PublishedVersions published, long newest, NetworkSpec network) throws Refused {
        if (version < 0 || version > newest) {
            throw new Refused("version " + version + " was never published (the newest is " + newest + ")");
        }
        if (!export.enabled()) {
            throw new Refused("the job exports no artefacts (--export.dir), so it has no parameters to roll back to");
        }
        String sha256 = published
                .sha256(version)
                .orElseThrow(
                        () -> new Refused("version " + version + " is older than the " + PublishedVersions.REMEMBERED
                                + " versions the job remembers (the oldest: " + published.oldest() + ")"));
        Optional<Path> dir = new ArtefactStore(Path.of(export.dir())).find(version, sha256);
        if (dir.isEmpty()) {
            throw new Refused("version " + version + "'s artefact is not in the export directory (--export.keep "
                    + export.keep() + " keeps the newest " + export.keep() + ")");
        }
        ModelSnapshot snapshot;
        try (ExportedModel model = ExportedModel.load(dir.get(), sha256)) {
            snapshot = model.snapshot();
        } catch (IOException | RuntimeException e) {
            throw new Refused("version " + version + "'s artefact " + dir.get().getFileName() + " cannot be read: "
                    + e.getMessage());
        }
        try (Embedder embedder = new Embedder(network)) {
            embedder.load(snapshot);
        } catch (IllegalArgumentException e) {
            throw new Refused("version " + version + "'s parameters do not fit the job's network: " + e.getMessage());
        }
        return snapshot;
    }
}
