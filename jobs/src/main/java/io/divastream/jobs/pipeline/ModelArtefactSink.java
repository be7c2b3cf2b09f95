package io.divastream.jobs.pipeline;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.model.ModelSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every published model version as an artefact into {@code --export.dir}, named
 * {@code v<version>-<first 12 hex digits of the parameters' SHA-256>} ({@link ArtefactStore}), and deletes the
 * artefacts beyond the newest {@code --export.keep}. Fed by the trainer's {@link ModelUpdate}s, beside the
 * model-versions sink; runs with parallelism 1.
 *
 * <p>Exactly-once reasoning: the sink is chained to the version publisher after the trainer (same parallelism,
 * forward edge), so an artefact is written, complete, inside the publication of the version, before the checkpoint
 * that commits the version's {@code diva.model-versions} record is taken (the barrier follows the update from the
 * trainer). (Unchained, an update in flight could be
 * checkpointed as channel state and written just after the commit; readers wait for an artefact anyway.) After a
 * failure the trainer resumes from the last checkpoint and may train the versions after it again; a version
 * trained again with the same parameters has the same name and is left as it is, one trained differently
 * gets a second directory. Only the artefact whose SHA-256 equals the committed record's is the real one;
 * readers pick artefacts by (version, SHA-256). A write that fails fails the job (the committed records
 * promise their artefacts).
 *
 * <p>Metrics: {@code modelArtefactsWritten}, {@code modelArtefactsDeleted}, {@code lastExportedVersion}.
 */
public final class ModelArtefactSink implements Sink<ModelUpdate> {

    private static final long serialVersionUID = 1L;

    private final JobConfig.ExportConfig config;
    private final ArtefactShape shape;

    /**
     * Creates the sink.
     *
     * @param config the export directory and retention
     * @param shape what the artefacts are made of: the updates' network, and the glyph spec or frozen backbone
     */
    public ModelArtefactSink(JobConfig.ExportConfig config, ArtefactShape shape) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("no export directory configured");
        }
        this.config = config;
        this.shape = java.util.Objects.requireNonNull(shape, "shape");
    }

    @Override
    public SinkWriter<ModelUpdate> createWriter(WriterInitContext context) {
        return new Writer(context.metricGroup());
    }

    /**
     * Creates a writer outside a Flink task (tests).
     *
     * @param metrics where its metrics go
     * @return the writer
     */
    Writer writer(MetricGroup metrics) {
        return new Writer(metrics);
    }

    /** Writes one artefact per update, then applies the retention. */
    final class Writer implements SinkWriter<ModelUpdate> {

        private static final Logger LOG = LoggerFactory.getLogger(ModelArtefactSink.class);

        private final ArtefactStore store = new ArtefactStore(Path.of(config.dir()));
        private final Counter written;
        private final Counter deleted;
        private volatile long lastVersion = -1;

        private Writer(MetricGroup metrics) {
            written = metrics.counter("modelArtefactsWritten");
            deleted = metrics.counter("modelArtefactsDeleted");
            metrics.gauge("lastExportedVersion", () -> lastVersion);
        }

        @Override
        public void write(ModelUpdate update, Context context) throws IOException {
            ModelSnapshot snapshot =
                    new ModelSnapshot(update.version(), update.step(), update.parameters(), update.parameterCount());
            if (!snapshot.sha256().equals(update.parameterSha256())) {
                throw new IllegalStateException("model version " + update.version() + ": its parameters hash to "
                        + snapshot.sha256() + ", the update says " + update.parameterSha256());
            }
            ArtefactStore.Written w;
            try {
                w = shape.write(store, snapshot);
            } catch (IOException | UncheckedIOException e) {
                throw new IOException(
                        "cannot write the artefact of model version " + update.version() + " to "
                                + store.dirFor(update.version(), snapshot.sha256()) + ": " + e.getMessage(),
                        e);
            }
            if (w.created()) {
                written.inc();
                LOG.info("exported model version {} (sha256 {}) to {}", update.version(), snapshot.sha256(), w.dir());
            } else {
                LOG.info(
                        "model version {} (sha256 {}) is already exported in {}; left as it is",
                        update.version(),
                        snapshot.sha256(),
                        w.dir());
            }
            lastVersion = update.version();
            List<Path> gone = store.retain(config.keep(), w.dir());
            deleted.inc(gone.size());
            if (!gone.isEmpty()) {
                LOG.info("deleted {} old artefacts beyond the newest {}: {}", gone.size(), config.keep(), gone);
            }
        }

        @Override
        public void flush(boolean endOfInput) {
            // every write is complete when write returns
        }

        @Override
        public void close() {
            // nothing held open
        }
    }
}
