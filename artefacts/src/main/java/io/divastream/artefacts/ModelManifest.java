package io.divastream.artefacts;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import io.divastream.images.ImageSpec;
import io.divastream.model.DivaHead;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.InputSpec;
import java.util.List;
import java.util.Objects;

/**
 * The JSON manifest of an exported model ({@value ModelExport#MANIFEST}): what network the parameters
 * belong to, how an image becomes its input, how the heads are weighted into the combined embedding,
 * and which model version the parameters are. Plain data, written and read with Gson.
 *
 * @param format the artefact format, {@value #FORMAT}
 * @param modelVersion the model version
 * @param trainingStep the optimizer step the parameters were taken at
 * @param parameterCount the number of scalar parameters
 * @param parameterBytes the size of {@value ModelExport#PARAMETERS}
 * @param parameterSha256 the lower-case hex SHA-256 of {@value ModelExport#PARAMETERS}
 * @param network the architecture
 * @param preprocessing how an encoded image becomes the network input
 * @param headWeights per head (network order), its weight in the combined embedding
 */
public record ModelManifest(
        int format,
        long modelVersion,
        long trainingStep,
        long parameterCount,
        long parameterBytes,
        String parameterSha256,
        Network network,
        Preprocessing preprocessing,
        double[] headWeights) {

    /** The artefact format this build writes and reads. */
    public static final int FORMAT = 1;

    /**
     * The backbone type of heads trained on a frozen backbone's features: the parameters are the heads', the
     * frozen TorchScript module ({@code file}) computes their input from the preprocessed photo.
     */
    public static final String FEATURES = "features";

    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /**
     * The network's shape.
     *
     * @param backbone the backbone
     * @param embeddingDim dimension of each head's embedding
     * @param heads head ids in network order ({@link DivaHead#id()})
     * @param decorrelationHidden hidden width of the decorrelation regressors
     */
    public record Network(Backbone backbone, int embeddingDim, List<String> heads, int decorrelationHidden) {}

    /**
     * The backbone: {@code type} is {@code glyphcnn} ({@code channels}, {@code inputSize}), {@code resnet}
     * ({@code depth}, {@code frozenBatchNorm}), {@code bninception}, {@code torchscript} ({@code file}
     * inside the artefact, {@code featureDim}, input in {@link Preprocessing}), or {@value #FEATURES} (a frozen
     * TorchScript module, {@code file}, whose {@code featureDim}-d output the heads take). Pretrained weights are not
     * referenced: every parameter, BatchNorm statistics included, is in the parameters file.
     *
     * @param type the backbone type
     * @param id the architecture id ({@link BackboneSpec#id()}), checked on load
     * @param channels glyph CNN block widths, else null
     * @param inputSize glyph side, else 0
     * @param depth ResNet depth, else 0
     * @param frozenBatchNorm ResNet BatchNorm frozen
     * @param file TorchScript module file name inside the artefact, else null
     * @param featureDim the feature width
     * @param featurePrecision for {@value #FEATURES}: the precision the job stores the frozen features in,
     *     {@code HALF} or {@code SINGLE}, which the heads' input is rounded to as the job rounds it; else null
     */
    public record Backbone(
            String type,
            String id,
            List<Integer> channels,
            int inputSize,
            int depth,
            boolean frozenBatchNorm,
            String file,
            int featureDim,
            String featurePrecision) {}

    /**
     * The preprocessing: {@code glyph} (gray, area-resized to {@code size}, inverted if {@code invert},
     * quantised to 8 bits as the streaming job stores images) or {@code photo} (RGB, shorter side resized
     * to {@code resizeSize}, center crop {@code cropSize}, {@code (v / pixelScale - mean) / std} per
     * channel, in BGR order if {@code bgr}).
     *
     * @param kind {@code glyph} or {@code photo}
     * @param size glyph side
     * @param invert glyph polarity
     * @param channels photo channels
     * @param cropSize photo crop side
     * @param resizeSize photo resize of the shorter side
     * @param mean photo per-channel mean
     * @param std photo per-channel standard deviation
     * @param pixelScale photo divisor of 0..255 samples
     * @param bgr photo channel order
     */
    public record Preprocessing(
            String kind,
            int size,
            boolean invert,
            int channels,
            int cropSize,
            int resizeSize,
            float[] mean,
            float[] std,
            double pixelScale,
            boolean bgr) {

        /**
         * The glyph preprocessing.
         *
         * @param spec the decoder's spec
         * @return the preprocessing
         */
        public static Preprocessing glyph(ImageSpec spec) {
            return new Preprocessing(
                    "glyph", spec.size(), spec.invert(), 1, spec.size(), spec.size(), null, null, 255.0, false);
        }

        /**
         * The photo preprocessing.
         *
         * @param in the backbone's input spec
         * @return the preprocessing
         */
        public static Preprocessing photo(InputSpec in) {
            return new Preprocessing(
                    "photo",
                    0,
                    false,
                    in.channels(),
                    in.cropSize(),
                    in.resizeSize(),
                    in.mean(),
                    in.std(),
                    in.pixelScale(),
                    in.bgr());
        }

        /**
         * Tells whether images are glyphs.
         *
         * @return true for {@code glyph}
         */
        public boolean isGlyph() {
            return "glyph".equals(kind);
        }

        /**
         * The glyph decoder's spec.
         *
         * @return the spec
         */
        public ImageSpec imageSpec() {
            return new ImageSpec(size, invert);
        }

        /**
         * The photo input spec.
         *
         * @return the spec
         */
        public InputSpec inputSpec() {
            return new InputSpec(channels, cropSize, resizeSize, mean, std, pixelScale, bgr);
        }
    }

    /**
     * Describes a network and its preprocessing.
     *
     * @param spec the network
     * @param torchScriptFile for a TorchScript backbone, the module's file name in the artefact
     * @param featurePrecision for heads on a frozen backbone's features, the precision of the stored features
     * @return the network part
     */
    static Network network(NetworkSpec spec, String torchScriptFile, StoredFeatures.Precision featurePrecision) {
        BackboneSpec b = spec.backbone();
        Backbone backbone;
        if (b instanceof BackboneSpec.GlyphCnn g) {
            backbone =
                    new Backbone("glyphcnn", b.id(), g.channels(), g.inputSize(), 0, false, null, b.featureDim(), null);
        } else if (b instanceof BackboneSpec.ResNet r) {
            backbone =
                    new Backbone("resnet", b.id(), null, 0, r.depth(), r.frozenBatchNorm(), null, b.featureDim(), null);
        } else if (b instanceof BackboneSpec.ModelZooResNet50) {
            backbone = new Backbone("resnet", b.id(), null, 0, 50, true, null, b.featureDim(), null);
        } else if (b instanceof BackboneSpec.BnInception) {
            backbone = new Backbone("bninception", b.id(), null, 0, 0, false, null, b.featureDim(), null);
        } else if (b instanceof BackboneSpec.TorchScript) {
            backbone = new Backbone("torchscript", b.id(), null, 0, 0, false, torchScriptFile, b.featureDim(), null);
        } else if (b instanceof BackboneSpec.Features) {
            Objects.requireNonNull(featurePrecision, "heads on stored features need the features' precision");
            backbone = new Backbone(
                    FEATURES, b.id(), null, 0, 0, false, torchScriptFile, b.featureDim(), featurePrecision.name());
        } else {
            throw new IllegalArgumentException("cannot export the backbone " + b.id());
        }
        return new Network(
                backbone,
                spec.embeddingDim(),
                spec.heads().stream().map(DivaHead::id).toList(),
                spec.decorrelationHidden());
    }

    /**
     * Builds the network spec the manifest describes, for an artefact in {@code dir}.
     *
     * @param dir the artefact directory (TorchScript modules are resolved in it)
     * @return the spec; pretrained-weight paths are "none" since the parameters file holds every weight
     * @throws IllegalArgumentException naming the bad field
     */
    public NetworkSpec networkSpec(java.nio.file.Path dir) {
        Backbone b = Objects.requireNonNull(network.backbone(), "manifest: network.backbone is missing");
        BackboneSpec backbone = switch (String.valueOf(b.type())) {
            case "glyphcnn" -> new BackboneSpec.GlyphCnn(b.channels(), b.inputSize());
            case "resnet" -> new BackboneSpec.ResNet(b.depth(), b.frozenBatchNorm(), BackboneSpec.ResNet.NO_WEIGHTS);
            case "bninception" -> BackboneSpec.BnInception.untrained();
            case "torchscript" ->
                new BackboneSpec.TorchScript(
                        dir.resolve(b.file()).toString(), b.featureDim(), preprocessing.inputSpec());
            case FEATURES -> new BackboneSpec.Features(source(b.id()), b.featureDim(), preprocessing.inputSpec());
            default -> throw new IllegalArgumentException("manifest: unknown backbone type '" + b.type() + "'");
        };
        if (!"torchscript".equals(b.type()) && !backbone.id().equals(b.id())) {
            throw new IllegalArgumentException(
                    "manifest: backbone id '" + b.id() + "' does not match its fields (" + backbone.id() + ")");
        }
        List<DivaHead> heads = network.heads().stream().map(DivaHead::parse).toList();
        return new NetworkSpec(backbone, network.embeddingDim(), heads, network.decorrelationHidden());
    }

    /**
     * The frozen backbone of a model trained on its features (backbone type {@value #FEATURES}): its TorchScript
     * module in the artefact, which turns the preprocessed photo into the features the parameters' heads take.
     *
     * @param dir the artefact directory
     * @return the frozen backbone and its features' precision, or empty for a model whose parameters cover its
     *     whole network
     * @throws IllegalArgumentException if a {@value #FEATURES} backbone names no module file
     */
    public java.util.Optional<FrozenBackbone> frozenBackbone(java.nio.file.Path dir) {
        Backbone b = Objects.requireNonNull(network.backbone(), "manifest: network.backbone is missing");
        if (!FEATURES.equals(b.type())) {
            return java.util.Optional.empty();
        }
        if (b.file() == null || b.file().isBlank()) {
            throw new IllegalArgumentException("manifest: a features backbone names no frozen module file");
        }
        StoredFeatures.Precision precision;
        try {
            precision = StoredFeatures.Precision.valueOf(String.valueOf(b.featurePrecision()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "manifest: featurePrecision must be HALF or SINGLE, got " + b.featurePrecision(), e);
        }
        return java.util.Optional.of(new FrozenBackbone(
                new BackboneSpec.TorchScript(
                        dir.resolve(b.file()).toString(), b.featureDim(), preprocessing.inputSpec()),
                precision));
    }

    private static String source(String featuresId) {
        String prefix = FEATURES + "-";
        if (featuresId == null || !featuresId.startsWith(prefix) || featuresId.length() == prefix.length()) {
            throw new IllegalArgumentException(
                    "manifest: backbone id '" + featuresId + "' is not '" + prefix + "<frozen backbone>'");
        }
        return featuresId.substring(prefix.length());
    }

    /**
     * Serializes to JSON.
     *
     * @return the pretty-printed JSON
     */
    public String toJson() {
        return GSON.toJson(this);
    }

    /**
     * Parses and checks a manifest.
     *
     * @param json the JSON text
     * @param source where it came from, named in errors
     * @return the manifest
     * @throws IllegalArgumentException if it is not a manifest of this format
     */
    public static ModelManifest fromJson(String json, String source) {
        ModelManifest m;
        try {
            m = GSON.fromJson(json, ModelManifest.class);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(source + ": not a model manifest: " + reason(e), e);
        }
        if (m == null) {
            throw new IllegalArgumentException(source + ": empty manifest");
        }
        if (m.format() != FORMAT) {
            throw new IllegalArgumentException(
                    source + ": manifest format " + m.format() + ", this build reads " + FORMAT);
        }
        if (m.network() == null
                || m.preprocessing() == null
                || m.headWeights() == null
                || m.parameterSha256() == null) {
            throw new IllegalArgumentException(
                    source + ": manifest lacks network, preprocessing, headWeights or parameterSha256");
        }
        if (m.headWeights().length != m.network().heads().size()) {
            throw new IllegalArgumentException(source + ": " + m.headWeights().length + " head weights for "
                    + m.network().heads().size() + " heads");
        }
        return m;
    }

    /** The innermost message's first line, without the exception classes Gson's messages start with. */
    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = String.valueOf(t.getMessage());
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
