package io.divastream.jobs.pipeline;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.PromotionDecision;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the promoted version into the export directory ({@link ArtefactStore#PROMOTED}) once the checkpoint that
 * commits its decision on {@code diva.promotions} completes (a committer, as the transactional Kafka sinks commit),
 * so the file never names a version whose decision a failure took back. The artefact retention never deletes the
 * promoted version's artefacts. Runs with parallelism 1 on the scorer's decisions.
 */
public final class PromotedMarkerSink implements Sink<PromotionDecision>, SupportsCommitter<Long> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PromotedMarkerSink.class);

    private final String dir;

    /**
     * Creates the sink.
     *
     * @param export the job's artefact export (enabled)
     */
    public PromotedMarkerSink(JobConfig.ExportConfig export) {
        if (!export.enabled()) {
            throw new IllegalArgumentException("no export directory configured");
        }
        this.dir = export.dir();
    }

    @Override
    public CommittingSinkWriter<PromotionDecision, Long> createWriter(WriterInitContext context) {
        return new Writer();
    }

    @Override
    public Committer<Long> createCommitter(CommitterInitContext context) {
        return new MarkerCommitter(new ArtefactStore(Path.of(dir)));
    }

    @Override
    public SimpleVersionedSerializer<Long> getCommittableSerializer() {
        return new VersionSerializer();
    }

    /** Keeps the promoted version of the decisions since the last checkpoint. */
    static final class Writer implements CommittingSinkWriter<PromotionDecision, Long> {

        private long promoted = -1;
        private boolean changed;

        @Override
        public void write(PromotionDecision decision, Context context) {
            if (decision.promotedVersion() >= 0 && decision.promotedVersion() != promoted) {
                promoted = decision.promotedVersion();
                changed = true;
            }
        }

        @Override
        public Collection<Long> prepareCommit() {
            if (!changed) {
                return List.of();
            }
            changed = false;
            return List.of(promoted);
        }

        @Override
        public void flush(boolean endOfInput) {
            // the version is committed at the checkpoint, not flushed
        }

        @Override
        public void close() {
            // nothing held open
        }
    }

    /** Writes the newest committed promoted version; writing the same one again changes nothing. */
    static final class MarkerCommitter implements Committer<Long> {

        private final ArtefactStore store;

        MarkerCommitter(ArtefactStore store) {
            this.store = store;
        }

        @Override
        public void commit(Collection<CommitRequest<Long>> requests) throws IOException {
            long newest = -1;
            for (CommitRequest<Long> r : requests) {
                newest = Math.max(newest, r.getCommittable());
            }
            if (newest >= 0) {
                store.writePromoted(newest);
                LOG.info("export directory: promoted model version {}", newest);
            }
        }

        @Override
        public void close() {
            // nothing held open
        }
    }

    /** A committable: the version as 8 bytes. */
    static final class VersionSerializer implements SimpleVersionedSerializer<Long> {

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Long version) {
            return ByteBuffer.allocate(Long.BYTES).putLong(version).array();
        }

        @Override
        public Long deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1 || serialized.length != Long.BYTES) {
                throw new IOException(
                        "not a promoted version committable (format " + version + ", " + serialized.length + " bytes)");
            }
            return ByteBuffer.wrap(serialized).getLong();
        }
    }
}
