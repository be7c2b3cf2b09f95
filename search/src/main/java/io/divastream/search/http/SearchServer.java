package io.divastream.search.http;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.divastream.artefacts.ExportedModel;
import io.divastream.images.ImageLimits;
import io.divastream.images.InvalidImageException;
import io.divastream.search.index.VersionedIndex;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.http.util.MultipartUtil;
import jakarta.servlet.MultipartConfigElement;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP query service (Javalin) over a {@link VersionedIndex} (docs/design-notes.md#searchserver). */
public final class SearchServer implements AutoCloseable {

    /** The multipart field holding the image. */
    public static final String FILE_FIELD = "image";

    /**
     * The request limits.
     *
     * @param maxUploadBytes the largest accepted image file
     * @param defaultK neighbours returned when {@code k} is not given
     * @param maxK the largest accepted {@code k}
     * @param image the bounds on an uploaded image, checked from its header before its pixels are allocated
     *     (an upload over {@code image.maxEncodedBytes()} gets 413 like one over {@code maxUploadBytes})
     * @param maxConcurrentEmbeddings uploads decoded and embedded at the same time, at most
     * @param embeddingWait how long an upload waits for one of those before it is answered 503
     */
    public record Limits(
            long maxUploadBytes,
            int defaultK,
            int maxK,
            ImageLimits image,
            int maxConcurrentEmbeddings,
            Duration embeddingWait) {
        /** The default wait for an embedding permit. */
        public static final Duration DEFAULT_EMBEDDING_WAIT = Duration.ofSeconds(1);

        /** 5 MiB, k = 10 by default, at most 100, the default image limits, a permit per processor, 1 s. */
        public static final Limits DEFAULT = new Limits(5L << 20, 10, 100);

        /**
         * Limits with the default image limits, one embedding permit per processor and a wait of 1 s.
         *
         * @param maxUploadBytes the largest accepted image file
         * @param defaultK neighbours returned when {@code k} is not given
         * @param maxK the largest accepted {@code k}
         */
        public Limits(long maxUploadBytes, int defaultK, int maxK) {
            this(
                    maxUploadBytes,
                    defaultK,
                    maxK,
                    ImageLimits.DEFAULT,
                    Runtime.getRuntime().availableProcessors(),
                    DEFAULT_EMBEDDING_WAIT);
        }

        /** Validates. */
        public Limits {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(embeddingWait, "embeddingWait");
            if (maxUploadBytes < 1
                    || defaultK < 1
                    || maxK < defaultK
                    || maxConcurrentEmbeddings < 1
                    || embeddingWait.isNegative()) {
                throw new IllegalArgumentException("bad limits " + maxUploadBytes + ", " + defaultK + ", " + maxK + ", "
                        + maxConcurrentEmbeddings + " concurrent embeddings, wait " + embeddingWait);
            }
        }

        /** The largest image file accepted: the smaller of the upload and the encoded-image limit. */
        long maxImageBytes() {
            return Math.min(maxUploadBytes, image.maxEncodedBytes());
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SearchServer.class);
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    /** Seconds a client is told to wait when every embedding permit is busy. */
    static final int RETRY_AFTER_SECONDS = 1;
    /** The request attribute holding a search's start, for its latency. */
    private static final String STARTED = "diva.started";
    /** Multipart overhead allowed on top of the file limit before the body is read. */
    private static final long MULTIPART_SLACK = 64 * 1024;

    private final VersionedIndex index;
    private final ModelDirectory models;
    private final Limits limits;
    private final Supplier<Map<String, Object>> extraHealth;
    private final Semaphore embeddingPermits;
    /** The largest request accepted: the image limit plus the multipart overhead. */
    private final long maxRequest;

    private final MultipartConfigElement multipartConfig;
    private final RefusalLog refusals = new RefusalLog(LOG);
    private final String page;
    private final SearchMetrics metrics;
    private Javalin app;

    /**
     * Creates the server (not started).
     *
     * @param index the index to query
     * @param models the exported models for uploads
     * @param limits the request limits
     * @param extraHealth more fields for {@code /health} (e.g. the follower's counters; {@code "healthy":
     *     false} makes it {@code DOWN} with 503; a list of strings under {@code "problems"} joins its problems)
     */
    public SearchServer(
            VersionedIndex index, ModelDirectory models, Limits limits, Supplier<Map<String, Object>> extraHealth) {
        this.index = Objects.requireNonNull(index, "index");
        this.models = Objects.requireNonNull(models, "models");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.extraHealth = Objects.requireNonNull(extraHealth, "extraHealth");
        this.embeddingPermits = new Semaphore(limits.maxConcurrentEmbeddings(), true);
        this.maxRequest = limits.maxImageBytes() + MULTIPART_SLACK;
        this.metrics = new SearchMetrics(index::status);
        this.multipartConfig =
                new MultipartConfigElement(System.getProperty("java.io.tmpdir"), maxRequest, maxRequest, (int)
                        Math.min(Integer.MAX_VALUE, maxRequest));
        try (InputStream in = SearchServer.class.getResourceAsStream("index.html")) {
            this.page = new String(
                    Objects.requireNonNull(in, "index.html resource").readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts listening.
     *
     * @param host the address to bind
     * @param port the port, 0 for any free one
     * @return this server
     */
    public SearchServer start(String host, int port) {
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = maxRequest;
        });
        app.get("/", ctx -> ctx.html(page));
        app.get("/health", this::health);
        app.get("/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
        app.before("/search", ctx -> ctx.attribute(STARTED, System.nanoTime()));
        app.after("/search", ctx -> {
            Long started = ctx.attribute(STARTED);
            if (started != null) {
                metrics.record(
                        ctx.method().name().equals("POST") ? "upload" : "id",
                        ctx.statusCode(),
                        System.nanoTime() - started);
            }
        });
        app.get("/search", this::searchById);
        app.post("/search", this::searchUpload);
        app.exception(HttpError.class, (e, ctx) -> {
            if (e.retryAfterSeconds > 0) {
                ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds));
            }
            error(ctx, e.status, e.getMessage());
        });
        app.exception(Exception.class, (e, ctx) -> {
            String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            LOG.error("error {} answering {} {}", id, ctx.method(), ctx.path(), e);
            json(
                    ctx,
                    500,
                    Map.of(
                            "status",
                            500,
                            "errorId",
                            id,
                            "error",
                            "internal error " + id + ": the service's log has the details"));
        });
        app.start(host, port);
        return this;
    }

    /**
     * Returns the port listened on.
     *
     * @return the port
     */
    public int port() {
        return app.port();
    }

    /**
     * Returns the semaphore bounding concurrent decodes and embeddings (tests hold its permits).
     *
     * @return the semaphore
     */
    Semaphore embeddingPermits() {
        return embeddingPermits;
    }

    private void health(Context ctx) {
        VersionedIndex.Status s = index.status();
        Map<String, Object> extra = new LinkedHashMap<>(extraHealth.get());
        List<String> problems = new ArrayList<>();
        if (extra.remove("problems") instanceof List<?> given) {
            given.forEach(p -> problems.add(String.valueOf(p)));
        }
        if (s.servedVersion() >= 0) {
            ModelDirectory.Lookup upload = models.lookup(s.servedVersion());
            if (upload.model() == null) {
                problems.add("uploads refused: " + upload.problem());
            }
        }
        problems.addAll(models.problems(s.servedVersion()));
        boolean down = Boolean.FALSE.equals(extra.get("healthy"));
        String status = down ? "DOWN" : s.servedVersion() < 0 ? "EMPTY" : problems.isEmpty() ? "UP" : "DEGRADED";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("problems", problems);
        body.put("mode", s.mode().name());
        body.put("servedVersion", s.servedVersion());
        body.put("servedImages", s.servedImages());
        body.put("pendingVersion", s.pendingVersion());
        body.put("pendingImages", s.pendingImages());
        body.put("dimension", s.dimension());
        body.put("refusedUploads", refusals.counts());
        body.putAll(extra);
        json(ctx, down || s.servedVersion() < 0 ? 503 : 200, body);
    }

    private int k(Context ctx) {
        String text = ctx.queryParam("k");
        if (text == null || text.isBlank()) {
            return limits.defaultK();
        }
        int k;
        try {
            k = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new HttpError(400, "k must be an integer in [1, " + limits.maxK() + "], got '" + text + "'");
        }
        if (k < 1 || k > limits.maxK()) {
            throw new HttpError(400, "k must be in [1, " + limits.maxK() + "], got " + k);
        }
        return k;
    }

    private void searchById(Context ctx) {
        String imageId = ctx.queryParam("imageId");
        if (imageId == null || imageId.isBlank()) {
            throw new HttpError(
                    400, "give imageId=... (GET), or POST a multipart image in the field '" + FILE_FIELD + "'");
        }
        int k = k(ctx);
        long start = System.nanoTime();
        Optional<VersionedIndex.Result> result;
        try {
            result = index.searchById(imageId, k);
        } catch (NoSuchElementException e) {
            throw new HttpError(404, e.getMessage());
        }
        answer(ctx, k, Map.of("imageId", imageId), result.orElseThrow(SearchServer::empty), start);
    }

    private void searchUpload(Context ctx) {
        int k = k(ctx);
        String type = Optional.ofNullable(ctx.contentType()).orElse("");
        if (!type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new HttpError(
                    415,
                    "expected multipart/form-data with a PNG or JPEG in the field '" + FILE_FIELD
                            + "', got Content-Type '" + type + "'");
        }
        long declared = ctx.contentLength();
        if (declared > maxRequest) {
            throw tooLarge(declared);
        }
        VersionedIndex.Status status = index.status();
        if (status.servedVersion() < 0) {
            throw empty();
        }
        UploadedFile file;
        try {
            // per request: Javalin's own multipart configuration is one for the whole JVM, the last server's
            ctx.req().setAttribute(MultipartUtil.MULTIPART_CONFIG_ATTRIBUTE, multipartConfig);
            file = ctx.uploadedFile(FILE_FIELD);
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("exceed")) {
                throw tooLarge(declared);
            }
            LOG.debug("cannot read a multipart body", e);
            throw new HttpError(400, "cannot read the multipart body (not well-formed multipart/form-data)");
        }
        if (file == null) {
            throw new HttpError(400, "no file in the multipart field '" + FILE_FIELD + "'");
        }
        if (file.size() > limits.maxImageBytes()) {
            throw tooLarge(file.size());
        }
        byte[] bytes = file.contentAndClose(in -> {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!isPng(bytes) && !isJpeg(bytes)) {
            throw new HttpError(
                    415,
                    "'" + file.filename() + "' (" + file.contentType() + ", " + bytes.length
                            + " bytes) is neither PNG nor JPEG");
        }
        long start = System.nanoTime();
        VersionedIndex.Result r = null;
        for (int attempt = 0; r == null; attempt++) {
            long version = index.status().servedVersion();
            ModelDirectory.Lookup lookup = models.lookup(version);
            if (lookup.model() == null) {
                throw refused(503, "no-model", "uploads refused: " + lookup.problem(), 0);
            }
            float[] embedding = embed(lookup.model(), bytes, file.filename());
            VersionedIndex.Result answer = index.search(embedding, k).orElseThrow(SearchServer::empty);
            // the index may have switched while the upload was embedded: then embed it again, once
            if (answer.modelVersion() == version || attempt > 0) {
                if (answer.modelVersion() != version) {
                    throw new HttpError(503, "the served model version is changing; try again");
                }
                r = answer;
            }
        }
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("upload", file.filename());
        query.put("bytes", bytes.length);
        answer(ctx, k, query, r, start);
    }

    /** Decodes and embeds an upload under an embedding permit; 503 with Retry-After if none comes in time. */
    private float[] embed(ExportedModel model, byte[] bytes, String filename) {
        boolean permitted;
        try {
            permitted = embeddingPermits.tryAcquire(limits.embeddingWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            permitted = false;
        }
        if (!permitted) {
            throw refused(
                    503,
                    "busy",
                    "busy: " + limits.maxConcurrentEmbeddings() + " uploads are being decoded and"
                            + " embedded, none finished within "
                            + limits.embeddingWait().toMillis() + " ms; try again in "
                            + RETRY_AFTER_SECONDS + " s",
                    RETRY_AFTER_SECONDS);
        }
        try {
            return model.embed(bytes, limits.image()).combined();
        } catch (InvalidImageException e) {
            throw refused(
                    400,
                    "image-" + e.reason().name().toLowerCase(Locale.ROOT),
                    "'" + filename + "' is not a usable image: " + e.getMessage(),
                    0);
        } finally {
            embeddingPermits.release();
        }
    }

    /** A refusal of an upload: logged once per cause, counted, answered. */
    private HttpError refused(int status, String cause, String message, int retryAfterSeconds) {
        refusals.refuse(cause, "upload refused with " + status + ": " + message);
        return new HttpError(status, message, retryAfterSeconds);
    }

    private void answer(Context ctx, int k, Map<String, Object> query, VersionedIndex.Result r, long start) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("modelVersion", r.modelVersion());
        body.put("mode", index.status().mode().name());
        body.put("k", k);
        body.put("query", query);
        body.put("neighbours", r.neighbours());
        body.put("tookMs", (System.nanoTime() - start) / 1e6);
        json(ctx, 200, body);
    }

    private HttpError tooLarge(long bytes) {
        return new HttpError(
                413,
                "the upload has " + bytes + " bytes; the limit is " + limits.maxImageBytes() + " bytes for the image");
    }

    private static HttpError empty() {
        return new HttpError(503, "the index is empty: no model version is served yet");
    }

    private static boolean isPng(byte[] b) {
        return b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    }

    private static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff;
    }

    private static void error(Context ctx, int status, String message) {
        json(ctx, status, Map.of("status", status, "error", String.valueOf(message)));
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(GSON.toJson(body));
    }

    /** Stops the server. */
    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }

    /** An error answer. */
    private static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final int retryAfterSeconds;

        HttpError(int status, String message) {
            this(status, message, 0);
        }

        HttpError(int status, String message, int retryAfterSeconds) {
            super(message, null, false, false);
            this.status = status;
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }
}
