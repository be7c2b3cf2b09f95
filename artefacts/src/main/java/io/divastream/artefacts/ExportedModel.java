package io.divastream.artefacts;

import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.images.ImageDecoder;
import io.divastream.images.ImageLimits;
import io.divastream.images.PhotoDecoder;
import io.divastream.images.PhotoTransforms;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.Embedder;
import io.divastream.model.embed.FeatureExtractor;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A model version loaded from an artefact written by {@link ModelExport}: the network built from the
 * manifest, its parameters checked against the manifest's SHA-256 and loaded, and the manifest's
 * preprocessing and head weighting, so that an encoded image becomes the same per-head and combined
 * embeddings as in the streaming job. Needs only the model module (DJL), no Flink or Kafka.
 *
 * <p>The embedding methods are synchronized (one network, used by one thread at a time); owns native
 * memory until {@link #close()}.
 */
public final class ExportedModel implements AutoCloseable {

    /**
     * The embeddings of one image.
     *
     * @param combined the weighted, re-normalised concatenation of the heads
     * @param heads per head (network order), its L2-normalised embedding
     */
    public record Embedding(float[] combined, float[][] heads) {}

    private static final String MALFORMED = "not a model manifest: a field is missing or has the wrong type";

    private final Path dir;
    private final ModelManifest manifest;
    private final NetworkSpec spec;
    private final Embedder embedder;
    private final ModelSnapshot snapshot;
    private final ImageDecoder glyphDecoder;
    private final PhotoTransforms photoTransforms;
    /** The frozen backbone of heads trained on its features, else null. */
    private final FeatureExtractor frozen;
    /** Its features' precision in the job (null without a frozen backbone). */
    private final FrozenBackbone frozenSpec;

    private ExportedModel(
            Path dir,
            ModelManifest manifest,
            NetworkSpec spec,
            Embedder embedder,
            ModelSnapshot snapshot,
            FrozenBackbone frozenSpec,
            FeatureExtractor frozen) {
        this.dir = dir;
        this.snapshot = snapshot;
        this.manifest = manifest;
        this.spec = spec;
        this.embedder = embedder;
        this.frozen = frozen;
        this.frozenSpec = frozenSpec;
        ModelManifest.Preprocessing p = manifest.preprocessing();
        this.glyphDecoder = p.isGlyph() ? new ImageDecoder(p.imageSpec()) : null;
        this.photoTransforms = p.isGlyph() ? null : new PhotoTransforms(p.inputSpec());
    }

    /**
     * Loads an artefact.
     *
     * @param dir the artefact directory
     * @return the model, ready to embed
     * @throws IOException if a file is missing or unreadable, or the parameters do not match the manifest
     *     (size, SHA-256) or the network (message names the file)
     */
    public static ExportedModel load(Path dir) throws IOException {
        return load(dir, null);
    }

    /**
     * Loads an artefact only if its parameters are the expected ones: the manifest's SHA-256 must equal
     * {@code expectedSha256} (as well as the parameters file's, which {@link #load(Path)} checks). This is
     * how a consumer of {@code diva.model-versions} makes sure it loads the committed version, not a
     * version of the same number that a failed attempt of the job trained differently.
     *
     * @param dir the artefact directory
     * @param expectedSha256 the parameters' hex SHA-256 the artefact must have, or null to accept any
     * @return the model, ready to embed
     * @throws IOException as {@link #load(Path)}, or if the SHA-256 is not the expected one (message names
     *     both)
     */
    public static ExportedModel load(Path dir, String expectedSha256) throws IOException {
        return load(dir, expectedSha256, null);
    }

    /**
     * Loads an artefact only if its manifest and its parameters are the expected ones: the SHA-256 of the
     * {@value ModelExport#MANIFEST} file's bytes must equal {@code expectedManifestSha256} (checked before
     * the manifest is parsed; the bytes checked are the bytes parsed), and its parameters as for {@link
     * #load(Path, String)}. The manifest decides how images are preprocessed and the heads weighted, which
     * the parameters' SHA-256 does not cover; a committed {@code diva.model-versions} record carries the
     * digest of the manifest the job wrote ({@link ModelExport#manifestBytes}).
     *
     * @param dir the artefact directory
     * @param expectedSha256 the parameters' hex SHA-256 the artefact must have, or null to accept any
     * @param expectedManifestSha256 the manifest file's hex SHA-256, or null not to check it
     * @return the model, ready to embed
     * @throws IOException as {@link #load(Path, String)}, or if the manifest's SHA-256 is not the expected
     *     one (message names both)
     */
    public static ExportedModel load(Path dir, String expectedSha256, String expectedManifestSha256)
            throws IOException {
        Path manifestFile = dir.resolve(ModelExport.MANIFEST);
        Path parametersFile = dir.resolve(ModelExport.PARAMETERS);
        byte[] manifestBytes;
        try {
            manifestBytes = Files.readAllBytes(manifestFile);
        } catch (NoSuchFileException e) {
            throw new IOException(dir + " is not a model artefact: " + ModelExport.MANIFEST + " is missing", e);
        }
        if (expectedManifestSha256 != null) {
            String actual = ModelSnapshot.sha256(manifestBytes);
            if (!expectedManifestSha256.equals(actual)) {
                throw new IOException(manifestFile + ": " + manifestBytes.length + " bytes with SHA-256 " + actual
                        + ", expected " + expectedManifestSha256 + " (not the manifest written for this model version:"
                        + " edited, damaged or replaced)");
            }
        }
        ModelManifest manifest;
        try {
            manifest =
                    ModelManifest.fromJson(new String(manifestBytes, StandardCharsets.UTF_8), manifestFile.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException(manifestFile + ": " + MALFORMED, e);
        }
        NetworkSpec spec;
        try {
            spec = manifest.networkSpec(dir);
        } catch (IllegalArgumentException e) {
            throw new IOException(manifestFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException(manifestFile + ": " + MALFORMED, e);
        }
        if (manifest.preprocessing().isGlyph() != spec.backbone() instanceof BackboneSpec.GlyphCnn) {
            throw new IOException(manifestFile + ": preprocessing '"
                    + manifest.preprocessing().kind() + "' does not fit the backbone "
                    + spec.backbone().id());
        }
        if (expectedSha256 != null && !expectedSha256.equals(manifest.parameterSha256())) {
            throw new IOException(manifestFile + ": parameters with SHA-256 " + manifest.parameterSha256()
                    + ", expected " + expectedSha256 + " (not the artefact of the committed model version "
                    + manifest.modelVersion() + ")");
        }
        byte[] parameters;
        try {
            long size = Files.size(parametersFile);
            if (size != manifest.parameterBytes()) {
                throw new IOException(parametersFile + ": " + size + " bytes, the manifest says "
                        + manifest.parameterBytes() + " bytes");
            }
            parameters = Files.readAllBytes(parametersFile);
        } catch (NoSuchFileException e) {
            throw new IOException(dir + " is not a model artefact: " + ModelExport.PARAMETERS + " is missing", e);
        }
        String sha256 = ModelSnapshot.sha256(parameters);
        if (parameters.length != manifest.parameterBytes() || !sha256.equals(manifest.parameterSha256())) {
            throw new IOException(parametersFile + ": " + parameters.length + " bytes with SHA-256 " + sha256
                    + ", the manifest says " + manifest.parameterBytes() + " bytes with " + manifest.parameterSha256());
        }
        ModelSnapshot snapshot = new ModelSnapshot(
                manifest.modelVersion(), manifest.trainingStep(), parameters, manifest.parameterCount());
        Embedder embedder = new Embedder(spec);
        try {
            embedder.load(snapshot);
        } catch (IllegalArgumentException e) {
            embedder.close();
            throw new IOException(parametersFile + ": " + e.getMessage(), e);
        }
        try {
            FrozenBackbone frozen = manifest.frozenBackbone(dir).orElse(null);
            return new ExportedModel(
                    dir,
                    manifest,
                    spec,
                    embedder,
                    snapshot,
                    frozen,
                    frozen == null ? null : load(frozen.module(), dir));
        } catch (IllegalArgumentException e) {
            embedder.close();
            throw new IOException(manifestFile + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            embedder.close();
            throw e;
        }
    }

    /** Loads the frozen backbone of heads trained on its features. */
    private static FeatureExtractor load(BackboneSpec.TorchScript module, Path dir) throws IOException {
        if (!Files.isRegularFile(Path.of(module.path()))) {
            throw new IOException(dir + " is not a complete model artefact: the frozen backbone "
                    + Path.of(module.path()).getFileName() + " is missing");
        }
        try {
            return new FeatureExtractor(module);
        } catch (RuntimeException e) {
            throw new IOException(module.path() + ": cannot load the frozen backbone: " + e.getMessage(), e);
        }
    }

    /**
     * The parameters as read, checked against the manifest.
     *
     * @return the version, step and parameters of the manifest
     */
    public ModelSnapshot snapshot() {
        return snapshot;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    /**
     * Returns the model version.
     *
     * @return the manifest's model version
     */
    public long version() {
        return manifest.modelVersion();
    }

    public NetworkSpec spec() {
        return spec;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Turns an encoded image into the network input, as the manifest's preprocessing says: glyphs are
     * decoded and quantised to 8 bits (as the streaming job stores them), photos get the evaluation view, and
     * for heads trained on a frozen backbone's features the view goes through that backbone.
     *
     * @param encoded the encoded file (PNG, JPEG, ...)
     * @return the flat C x S x S input (the frozen backbone's features for heads trained on them)
     * @throws io.divastream.images.InvalidImageException if the bytes are not a usable image
     */
    public float[] preprocess(byte[] encoded) {
        return preprocess(encoded, ImageLimits.DEFAULT);
    }

    /**
     * Turns an encoded image into the network input, as {@link #preprocess(byte[])}, refusing images beyond
     * some limits before any pixel is allocated (what an untrusted upload needs).
     *
     * @param encoded the encoded file (PNG, JPEG, ...)
     * @param limits the bounds on the encoded size and the size its header declares
     * @return the flat C x S x S input (the frozen backbone's features for heads trained on them)
     * @throws io.divastream.images.InvalidImageException if the bytes are not a usable image or exceed
     *     the limits (naming the declared size)
     */
    public float[] preprocess(byte[] encoded, ImageLimits limits) {
        if (glyphDecoder != null) {
            ImageDecoder decoder =
                    limits.equals(ImageLimits.DEFAULT) ? glyphDecoder : new ImageDecoder(glyphDecoder.spec(), limits);
            return ImageDecoder.fromBytes(ImageDecoder.toBytes(decoder.decode(encoded)));
        }
        float[] view = photoTransforms.evalView(PhotoDecoder.decode(encoded, limits));
        return frozen == null ? view : frozenFeatures(view);
    }

    private synchronized float[] frozenFeatures(float[] view) {
        return frozenSpec.asStored(frozen.features(new float[][] {view})[0]);
    }

    /**
     * Embeds network inputs.
     *
     * @param inputs flat C x S x S inputs
     * @return per input, its combined and per-head embeddings
     */
    public synchronized Embedding[] embedInputs(float[][] inputs) {
        float[][][] heads = embedder.embed(inputs);
        float[][] combined = EmbeddingCombiner.combine(heads, manifest.headWeights());
        Embedding[] out = new Embedding[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            float[][] perHead = new float[heads.length][];
            for (int h = 0; h < heads.length; h++) {
                perHead[h] = heads[h][i];
            }
            out[i] = new Embedding(combined[i], perHead);
        }
        return out;
    }

    /**
     * Embeds one encoded image.
     *
     * @param encoded the encoded file
     * @return its embeddings
     * @throws io.divastream.images.InvalidImageException if the bytes are not a usable image
     */
    public Embedding embed(byte[] encoded) {
        return embed(encoded, ImageLimits.DEFAULT);
    }

    /**
     * Embeds one encoded image within limits ({@link #preprocess(byte[], ImageLimits)}).
     *
     * @param encoded the encoded file
     * @param limits the bounds on the image
     * @return its embeddings
     * @throws io.divastream.images.InvalidImageException if the bytes are not a usable image or exceed
     *     the limits
     */
    public Embedding embed(byte[] encoded, ImageLimits limits) {
        return embedInputs(new float[][] {preprocess(encoded, limits)})[0];
    }

    @Override
    public synchronized void close() {
        embedder.close();
        if (frozen != null) {
            frozen.close();
        }
    }
}
