package io.divastream.jobs.embed;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.RuntimeConfig;
import io.divastream.jobs.decode.DecodeImageFunction;
import io.divastream.jobs.decode.FirstLabels;
import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.model.DjlRuntime;
import io.divastream.model.config.NetworkSpec;
import io.divastream.schemas.DeadLetterReason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a bounded catalogue of images (first input, keyed by image id) and their embeddings up to
 * date with the newest model version (second input, broadcast from the trainer to every subtask).
 *
 * <ul>
 *   <li>A new image is embedded at once with the newest model and stored with that version; a
 *       redelivered id replaces the stored image. Before the first model, images are only stored. An
 *       id that arrives with another label than its first is a {@code LABEL_CHANGED} dead letter
 *       ({@link FirstLabels}).
 *   <li>A newer model version replaces the current one and restarts the re-embedding backlog:
 *       every stored image embedded with an older version. A processing-time callback drains it in
 *       chunks of {@code reembedChunk} images every {@link JobConfig.CatalogueConfig#tickMs()}, so
 *       at most {@code reembedRate} images per second and subtask, evaluation images first (the
 *       metrics wait for all of them), and taking at most half of the subtask's thread ({@link
 *       #MAX_REEMBED_SHARE}: on a machine too busy for the rate, the chunks slow down rather than
 *       new images). The embeddings topic thus converges to the newest version within about {@code
 *       stored images / rate} seconds, and checkpoints and new images go on in between.
 *   <li>Bounds: a training image not received again for {@code ttlMs} is dropped (evaluation
 *       images never expire, since the metrics wait for all the evaluation images they have seen);
 *       a subtask stores at most {@code maxImagesPerSubtask} images, and a new image beyond that
 *       goes to the {@link #DEAD_LETTERS} side output ({@code CATALOGUE_FULL}), neither embedded
 *       nor stored. The backlog is at most the stored images.
 * </ul>
 *
 * <p>State: per image, keyed state holds the sample, the version it was last embedded with and
 * its arrival time ({@link CatalogueEntry}); the newest model sits in broadcast operator state,
 * which every subtask keeps a copy of and which survives rescaling. The in-memory {@link
 * CatalogueIndex} and the backlog are rebuilt on restore by scanning the keys, so a restored
 * subtask re-embeds exactly the images still behind.
 *
 * <p>Metrics: counters {@code numEmbeddings}, {@code numReembeddings}, {@code
 * numCatalogueExpired}, {@code numCatalogueRejected} (also reported as {@code
 * deadLetters.CATALOGUE_FULL}); gauges {@code catalogueImages}, {@code reembedBacklog}, {@code
 * modelVersion}, {@code embeddedVersionLag} and the freshness gauge {@code
 * oldestStaleEmbeddingAgeMs} ({@link #oldestStaleEmbeddingAgeMs()}); the histogram {@code
 * eventToEmbeddingLatencyMs} of each image's first embedding time minus its event time.
 *
 * <p>Wiring: {@code images.keyBy(ImageSample::imageId).connect(models.broadcast()).transform(...)};
 * the second input has no key, and the operator never touches keyed state while processing it.
 */
public final class CatalogueEmbedder extends AbstractStreamOperator<ImageEmbedding>
        implements TwoInputStreamOperator<ImageSample, ModelUpdate, ImageEmbedding>, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CatalogueEmbedder.class);

    /** Broadcast state holding the newest model version under {@link #LATEST}. */
    public static final MapStateDescriptor<String, ModelUpdate> MODEL_STATE =
            new MapStateDescriptor<>("newest-model", Types.STRING, TypeInformation.of(ModelUpdate.class));

    /** The key of the newest model in {@link #MODEL_STATE}. */
    public static final String LATEST = "latest";

    /** Keyed state holding each stored image. */
    public static final ValueStateDescriptor<CatalogueEntry> ENTRY_STATE =
            new ValueStateDescriptor<>("catalogue-entry", TypeInformation.of(CatalogueEntry.class));

    /**
     * Keyed state holding the version an image was last re-embedded with, apart from its entry so
     * that a re-embedding writes a few bytes instead of the stored image. An image's version is
     * the larger of this and its entry's ({@link CatalogueEntry#embeddedVersion()}, the version it
     * was embedded with on arrival): versions only grow, so a later arrival's version supersedes
     * an earlier re-embedding. Absent for an image never re-embedded.
     */
    public static final ValueStateDescriptor<Long> REEMBEDDED_VERSION_STATE =
            new ValueStateDescriptor<>("catalogue-reembedded-version", Types.LONG);

    /** Side output of images rejected by a full catalogue. */
    public static final OutputTag<DeadLetterEvent> DEAD_LETTERS = new OutputTag<>("catalogue-dead-letters") {
        private static final long serialVersionUID = 1L;
    };

    /** Name of the stage in dead letters. */
    public static final String STAGE = "embed-images";

    /** At most this many expired images are dropped per timer callback. */
    static final int MAX_EXPIRED_PER_TICK = 4096;

    /** Number of recent first embeddings whose latency the latency histogram holds. */
    static final int LATENCY_WINDOW = 1000;

    /**
     * The largest share of the embedder's thread that re-embedding may take: after a chunk that took
     * t, the next chunk starts no sooner than t (1 - share) / share later (here: t), whatever the
     * rate. New images share the thread (the task's mailbox) with the callback, and Flink runs a due
     * timer before the next input record, so a machine too busy to embed a chunk within a tick
     * would otherwise give new images one record per chunk (in the freshness benchmark on a loaded
     * machine, the images of the seconds after a model version waited 5.5 s at the median against
     * 0.9 s for the others).
     */
    static final double MAX_REEMBED_SHARE = 0.5;

    private final SamplePayload payload;
    private final NetworkSpec network;
    private final double[] headWeights;
    private final JobConfig.CatalogueConfig config;
    private final String sourceTopic;
    private final int intraOpThreads;
    private final long labelTtlMs;

    private transient CatalogueModel embedder;
    private transient ValueState<CatalogueEntry> entries;
    private transient ValueState<Long> reembeddedVersions;
    private transient ValueState<Long> firstLabels;
    private transient Counter labelChanges;
    private transient BroadcastState<String, ModelUpdate> models;
    private transient ModelUpdate newest;
    private transient CatalogueIndex index;
    private transient Counter embedded;
    private transient Counter reembedded;
    private transient Counter expired;
    private transient Counter rejected;
    private transient Histogram eventToEmbeddingMs;
    private transient EmbeddingFreshness freshness;
    /** Measures how long a chunk takes (System::nanoTime; tests replace it). */
    private transient LongSupplier nanoClock;

    /**
     * Creates the operator.
     *
     * @param network the network's shape
     * @param headWeights weight of each head in the combined embedding
     * @param config the catalogue's bounds and re-embedding rate
     * @param sourceTopic the input topic, named in dead letters
     */
    public CatalogueEmbedder(
            NetworkSpec network, double[] headWeights, JobConfig.CatalogueConfig config, String sourceTopic) {
        this(
                network,
                headWeights,
                config,
                sourceTopic,
                RuntimeConfig.IntraOpThreads.DEFAULT.embedder(),
                0,
                SamplePayload.GLYPH_PIXELS);
    }

    /**
     * Creates the operator.
     *
     * @param network the network's shape
     * @param headWeights weight of each head in the combined embedding
     * @param config the catalogue's bounds and re-embedding rate
     * @param sourceTopic the input topic, named in dead letters
     * @param intraOpThreads libtorch's intra-op threads for the subtask's forward passes, or 0 for every processor
     * @param labelTtlMs how long an image id's first label is remembered ({@link FirstLabels}; 0: for ever)
     * @param payload what the samples carry: glyph pixels, or a frozen backbone's stored features
     */
    public CatalogueEmbedder(
            NetworkSpec network,
            double[] headWeights,
            JobConfig.CatalogueConfig config,
            String sourceTopic,
            int intraOpThreads,
            long labelTtlMs,
            SamplePayload payload) {
        this.payload = java.util.Objects.requireNonNull(payload, "payload");
        this.network = network;
        this.headWeights = headWeights.clone();
        this.config = config;
        this.sourceTopic = sourceTopic;
        this.intraOpThreads = DjlRuntime.checkIntraOpThreads(intraOpThreads);
        this.labelTtlMs = labelTtlMs;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        entries = getKeyedStateStore().getState(ENTRY_STATE);
        reembeddedVersions = getKeyedStateStore().getState(REEMBEDDED_VERSION_STATE);
        firstLabels = getKeyedStateStore().getState(FirstLabels.descriptor(labelTtlMs));
        models = context.getOperatorStateStore().getBroadcastState(MODEL_STATE);
        newest = models.get(LATEST);
        index = new CatalogueIndex();
        freshness = new EmbeddingFreshness();
        if (context.isRestored()) {
            rebuildIndex();
        }
    }

    /** Reads every stored image once: the index in arrival order, and the backlog. */
    private void rebuildIndex() throws Exception {
        List<Object> keys;
        try (Stream<Object> stream = getKeyedStateBackend().getKeys(ENTRY_STATE.getName(), VoidNamespace.INSTANCE)) {
            keys = stream.toList();
        }
        List<CatalogueEntry> stored = new ArrayList<>(keys.size());
        for (Object key : keys) {
            setCurrentKey(key);
            CatalogueEntry entry = entries.value();
            if (entry != null) {
                stored.add(entry.withVersion(embeddedVersion(entry)));
            }
        }
        stored.sort(Comparator.comparingLong(CatalogueEntry::storedAt));
        for (CatalogueEntry e : stored) {
            index.put(e.sample().imageId(), e.sample().role() == Role.EVAL, e.storedAt(), e.embeddedVersion());
        }
        if (newest != null) {
            index.restartBacklog(newest.version());
        }
        LOG.info(
                "restored a catalogue of {} images ({} for evaluation), {} to re-embed with model version {}",
                index.size(),
                index.evalSize(),
                index.backlogSize(),
                newest == null ? "none" : newest.version());
    }

    /** The current key's version: the larger of its entry's and its last re-embedding's. */
    private long embeddedVersion(CatalogueEntry entry) throws Exception {
        Long reembedded = reembeddedVersions.value();
        return reembedded == null ? entry.embeddedVersion() : Math.max(reembedded, entry.embeddedVersion());
    }

    /**
     * Replaces the clock that measures how long a re-embedding chunk takes (for tests).
     *
     * @param clock nanoseconds, as {@link System#nanoTime()}
     */
    void useClock(LongSupplier clock) {
        nanoClock = clock;
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (nanoClock == null) {
            nanoClock = System::nanoTime;
        }
        int threads = DjlRuntime.useIntraOpThreads(intraOpThreads);
        LOG.info("embedder subtask: {} libtorch intra-op threads", threads);
        embedder = new CatalogueModel(network, headWeights, payload);
        embedded = getMetricGroup().counter("numEmbeddings");
        reembedded = getMetricGroup().counter("numReembeddings");
        expired = getMetricGroup().counter("numCatalogueExpired");
        rejected = getMetricGroup().counter("numCatalogueRejected");
        labelChanges = getMetricGroup().counter("numLabelChanges");
        var deadLetters = getMetricGroup().addGroup(DecodeImageFunction.DEAD_LETTER_GROUP);
        deadLetters.counter(DeadLetterReason.CATALOGUE_FULL.name(), rejected);
        deadLetters.counter(DeadLetterReason.LABEL_CHANGED.name(), labelChanges);
        eventToEmbeddingMs = getMetricGroup()
                .histogram("eventToEmbeddingLatencyMs", new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
        getMetricGroup().gauge("oldestStaleEmbeddingAgeMs", this::oldestStaleEmbeddingAgeMs);
        getMetricGroup().gauge("catalogueImages", () -> index.size());
        getMetricGroup().gauge("reembedBacklog", () -> index.backlogSize());
        getMetricGroup().gauge("modelVersion", () -> newest == null ? -1L : newest.version());
        getMetricGroup().gauge("embeddedVersionLag", () -> index.versionLag(newest == null ? -1 : newest.version()));
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (newest != null && freshness.noArrivals()) {
            // restored: when the newest version first arrived is not checkpointed; its creation by
            // the trainer (or, if the clocks disagree, now) is the closest bound
            freshness.arrived(newest.version(), Math.min(newest.createdAt(), now));
        }
        updateFreshness();
        getProcessingTimeService().registerTimer(now + config.tickMs(), this);
    }

    @Override
    public void processElement1(StreamRecord<ImageSample> element) throws Exception {
        ImageSample sample = element.getValue();
        if (!FirstLabels.admit(firstLabels, sample.label())) {
            rejectLabelChange(sample);
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (!index.contains(sample.imageId()) && index.size() >= config.maxImagesPerSubtask()) {
            expire(now); // switches keys; the element's key is restored below
            setCurrentKey(sample.imageId());
            if (index.size() >= config.maxImagesPerSubtask()) {
                reject(sample);
                return;
            }
        }
        long version = CatalogueEntry.NOT_EMBEDDED;
        if (newest != null) {
            ImageEmbedding e = embedder.embed(newest, List.of(sample)).get(0);
            version = newest.version();
            output.collect(
                    element.hasTimestamp() ? new StreamRecord<>(e, element.getTimestamp()) : new StreamRecord<>(e));
            embedded.inc();
            recordLatency(e);
        }
        entries.update(new CatalogueEntry(sample, version, now));
        index.put(sample.imageId(), sample.role() == Role.EVAL, now, version);
        updateFreshness();
    }

    @Override
    public void processElement2(StreamRecord<ModelUpdate> element) throws Exception {
        ModelUpdate model = element.getValue();
        if (newest != null && newest.version() >= model.version()) {
            return;
        }
        models.put(LATEST, model);
        int stillBehind = index.backlogSize();
        newest = model;
        index.restartBacklog(model.version());
        freshness.arrived(model.version(), getProcessingTimeService().getCurrentProcessingTime());
        updateFreshness();
        LOG.info(
                "model version {}: {} stored images to re-embed at {}/s ({} were still queued for the previous version)",
                model.version(),
                index.backlogSize(),
                config.reembedRate(),
                stillBehind);
    }

    /**
     * One step of the rate: drops expired images, then re-embeds the next chunk of the backlog. The
     * next step is one tick later, or later still if the chunk took more than {@link
     * #MAX_REEMBED_SHARE} of the time since.
     */
    @Override
    public void onProcessingTime(long time) throws Exception {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        expire(now);
        long busyNanos = 0;
        if (newest != null) {
            List<String> ids = index.pollStale(config.reembedChunk());
            if (!ids.isEmpty()) {
                long started = nanoClock.getAsLong();
                reembed(ids);
                busyNanos = Math.max(0, nanoClock.getAsLong() - started);
            }
        }
        long pauseMs = (long) Math.ceil(busyNanos / 1e6 * (1 - MAX_REEMBED_SHARE) / MAX_REEMBED_SHARE);
        long next = Math.max(time + config.tickMs(), getProcessingTimeService().getCurrentProcessingTime() + pauseMs);
        getProcessingTimeService().registerTimer(Math.max(next, now), this);
    }

    private void reembed(List<String> ids) throws Exception {
        List<CatalogueEntry> stale = new ArrayList<>(ids.size());
        for (String id : ids) {
            setCurrentKey(id);
            CatalogueEntry entry = entries.value();
            if (entry == null) {
                throw new IllegalStateException("image " + id + " is indexed but has no keyed state");
            }
            stale.add(entry);
        }
        List<ImageEmbedding> out = embedder.embed(
                newest, stale.stream().map(CatalogueEntry::sample).toList());
        long version = newest.version();
        for (int i = 0; i < out.size(); i++) {
            CatalogueEntry entry = stale.get(i);
            setCurrentKey(entry.sample().imageId());
            reembeddedVersions.update(version);
            long previous = index.embedded(entry.sample().imageId(), version);
            output.collect(new StreamRecord<>(out.get(i)));
            if (previous == CatalogueEntry.NOT_EMBEDDED) {
                recordLatency(out.get(i)); // stored before any model: its first embedding
            }
        }
        embedded.inc(out.size());
        reembedded.inc(out.size());
        updateFreshness();
        if (index.backlogSize() == 0) {
            LOG.debug("catalogue of {} images is at model version {}", index.size(), version);
        }
    }

    /** Drops the training images whose last arrival is at least the TTL ago. */
    private void expire(long now) throws Exception {
        if (config.ttlMs() <= 0) {
            return;
        }
        List<String> ids = index.expire(now - config.ttlMs(), MAX_EXPIRED_PER_TICK);
        for (String id : ids) {
            setCurrentKey(id);
            entries.clear();
            reembeddedVersions.clear();
        }
        expired.inc(ids.size());
        if (!ids.isEmpty()) {
            updateFreshness();
        }
    }

    /** Records the time from an image's event to its first embedding (0 if the clocks disagree). */
    private void recordLatency(ImageEmbedding e) {
        eventToEmbeddingMs.update(Math.max(0, e.embeddedAt() - e.eventTime()));
    }

    /** Recomputes the freshness gauge after a change of the catalogue or of the newest version. */
    private void updateFreshness() {
        if (newest == null) {
            freshness.noModel();
        } else {
            freshness.update(index.oldestVersion(), newest.version());
        }
    }

    /**
     * Returns the age of the stalest stored embedding (the {@code oldestStaleEmbeddingAgeMs}
     * gauge). A stored image embedded with version v (or never embedded) became stale when the
     * first version newer than v arrived at this subtask; the age is the processing time since the
     * earliest such arrival over the stored images, 0 when every stored image is on the newest
     * version. After a restore the arrival of the newest version counts from its creation time.
     *
     * @return the age in milliseconds, 0 if nothing is stale
     */
    public long oldestStaleEmbeddingAgeMs() {
        return freshness.ageMs(getProcessingTimeService().getCurrentProcessingTime());
    }

    private void reject(ImageSample sample) {
        rejected.inc();
        output.collect(
                DEAD_LETTERS,
                new StreamRecord<>(CatalogueDeadLetters.catalogueFull(
                        sourceTopic,
                        sample,
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                        config.maxImagesPerSubtask())));
    }

    private void rejectLabelChange(ImageSample sample) throws Exception {
        labelChanges.inc();
        CatalogueEntry stored = entries.value();
        output.collect(
                DEAD_LETTERS,
                new StreamRecord<>(CatalogueDeadLetters.labelChanged(
                        sourceTopic,
                        sample,
                        stored == null ? null : stored.sample().label())));
    }

    /**
     * Returns the number of images this subtask stores (for tests and metrics).
     *
     * @return the catalogue's size
     */
    public int catalogueSize() {
        return index.size();
    }

    /**
     * Returns the length of the re-embedding backlog (for tests and metrics).
     *
     * @return ids queued for re-embedding
     */
    public int backlogSize() {
        return index.backlogSize();
    }

    @Override
    public void close() throws Exception {
        if (embedder != null) {
            embedder.close();
            embedder = null;
        }
        super.close();
    }
}
