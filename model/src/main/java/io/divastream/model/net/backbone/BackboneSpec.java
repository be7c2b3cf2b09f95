package io.divastream.model.net.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which backbone the DiVA network uses, and what input it expects. Records are values (they travel in
 * job configuration); {@link #build(NDManager)} makes the network.
 */
public sealed interface BackboneSpec extends Serializable {

    /**
     * Returns a stable identifier of the architecture (not of the weights it starts from): two specs
     * with the same id build blocks with the same parameter names and shapes.
     *
     * @return the id, e.g. {@code resnet50-frozenbn}
     */
    String id();

    /**
     * Returns what the backbone expects as input.
     *
     * @return the input spec
     */
    InputSpec input();

    /**
     * Returns the feature width.
     *
     * @return the width of the (B, featureDim) output
     */
    int featureDim();

    /**
     * Builds the backbone and initialises its parameters on {@code manager} (random or loaded
     * weights) for input (1, C, crop, crop).
     *
     * @param manager the manager that owns the parameters (a TorchScript module's arrays are owned by
     *     its model instead, released by {@link Backbone#close()})
     * @return the backbone
     */
    Backbone build(NDManager manager);

    /**
     * The input shape of a batch.
     *
     * @param batchSize the batch size
     * @return (batchSize, C, crop, crop)
     */
    default Shape inputShape(int batchSize) {
        InputSpec in = input();
        return new Shape(batchSize, in.channels(), in.cropSize(), in.cropSize());
    }

    private static Backbone initialised(Block block, BackboneSpec spec, NDManager manager, AutoCloseable owner) {
        block.initialize(manager, DataType.FLOAT32, spec.inputShape(1));
        return new BuiltBackbone(block, spec, owner);
    }

    /**
     * The Conv-4 glyph backbone ({@link GlyphBackbone}): 3x3 convolution, BatchNorm (trained
     * normally), ReLU and 2x2 max-pooling per block, then global average pooling; one gray channel.
     *
     * @param channels output channels of each block
     * @param inputSize side of the square glyph
     */
    record GlyphCnn(List<Integer> channels, int inputSize) implements BackboneSpec {

        private static final long serialVersionUID = 1L;

        /**
         * Validates and copies.
         *
         * @param channels output channels of each block, non-empty, positive
         * @param inputSize glyph side, divisible by 2^blocks
         */
        public GlyphCnn {
            channels = List.copyOf(channels);
            if (channels.isEmpty() || channels.stream().anyMatch(c -> c < 1)) {
                throw new IllegalArgumentException("channels must be non-empty and positive, got " + channels);
            }
            if (inputSize < (1 << channels.size())) {
                throw new IllegalArgumentException(
                        "inputSize " + inputSize + " is too small for " + channels.size() + " 2x2 poolings");
            }
        }

        @Override
        public String id() {
            StringBuilder sb = new StringBuilder("glyphcnn");
            channels.forEach(c -> sb.append('-').append(c));
            return sb.toString();
        }

        @Override
        public InputSpec input() {
            return InputSpec.glyph(inputSize);
        }

        @Override
        public int featureDim() {
            return channels.get(channels.size() - 1);
        }

        @Override
        public Backbone build(NDManager manager) {
            return initialised(GlyphBackbone.build(channels), this, manager, null);
        }
    }

    /**
     * torchvision's ResNet-18 or ResNet-50 built in DJL ({@link ResNetBackbone}), ImageNet input
     * convention, 512-d or 2048-d features.
     *
     * @param depth 18 or 50
     * @param frozenBatchNorm whether BatchNorm statistics are frozen (DiVA's ResNet-50)
     * @param weights {@link #NO_WEIGHTS} for random initialisation, or the path of a TorchScript file
     *     of a torchvision ResNet of the same depth (e.g. {@code torch.jit.trace(resnet50(weights=
     *     "IMAGENET1K_V1"), x)}), whose parameters and BatchNorm statistics are loaded by name
     */
    record ResNet(int depth, boolean frozenBatchNorm, String weights) implements BackboneSpec {

        private static final long serialVersionUID = 1L;

        /** The {@code weights} value for random initialisation. */
        public static final String NO_WEIGHTS = "none";

        /**
         * Validates.
         *
         * @param depth 18 or 50
         * @param frozenBatchNorm frozen BatchNorm statistics
         * @param weights {@code "none"} or a TorchScript path
         */
        public ResNet {
            if (depth != 18 && depth != 50) {
                throw new IllegalArgumentException("ResNet depth must be 18 or 50, got " + depth);
            }
            Objects.requireNonNull(weights, "weights (use \"none\" for random initialisation)");
            if (weights.isBlank()) {
                throw new IllegalArgumentException(
                        "weights must be \"none\" or a TorchScript path, got a blank string");
            }
        }

        /**
         * DiVA's backbone from scratch: ResNet-50 with frozen BatchNorm, random weights.
         *
         * @param depth 18 or 50
         * @return the spec
         */
        public static ResNet untrained(int depth) {
            return new ResNet(depth, true, NO_WEIGHTS);
        }

        @Override
        public String id() {
            return "resnet" + depth + (frozenBatchNorm ? "-frozenbn" : "");
        }

        @Override
        public InputSpec input() {
            return InputSpec.imagenet();
        }

        @Override
        public int featureDim() {
            return depth == 18 ? 512 : 2048;
        }

        @Override
        public Backbone build(NDManager manager) {
            ResNetBackbone net = new ResNetBackbone(depth, frozenBatchNorm);
            Backbone built = initialised(net, this, manager, null);
            if (!weights.equals(NO_WEIGHTS)) {
                loadTorchvision(net, Path.of(weights), manager);
            }
            return built;
        }

        static void loadTorchvision(ResNetBackbone net, Path file, NDManager manager) {
            loadNamed(file, manager, "ResNet", net::loadTorchvision);
        }
    }

    /**
     * Reads a weights file with {@link TorchScriptArchive} and hands its tensors to {@code load}; the
     * tensors are released afterwards, and errors name the file.
     */
    private static void loadNamed(
            Path file, NDManager manager, String network, java.util.function.Consumer<Map<String, NDArray>> load) {
        try (NDManager scope = manager.newSubManager()) {
            load.accept(TorchScriptArchive.read(file, scope));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read " + network + " weights " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * BN-Inception built in DJL ({@link BnInceptionBackbone}) in the layout of Cadene's
     * {@code pretrainedmodels.bninception}, DiVA's {@code bninception_normalize} (DIVA_SPEC 1.3):
     * BatchNorm trained normally (not frozen), the Caffe input convention (227 px crop, BGR, 0..255
     * minus the mean), 1024-d features.
     *
     * @param weights {@link #NO_WEIGHTS} for random initialisation, or the path of a file that
     *     {@link TorchScriptArchive} reads: a TorchScript module ({@code torch.jit.trace(
     *     pretrainedmodels.bninception(), x).save(path)}) or a {@code torch.save(model.state_dict(), path)}
     *     file; its parameters and BatchNorm statistics are loaded by their Cadene names
     *     ({@code conv1_7x7_s2.weight}, {@code inception_3a_1x1_bn.running_mean}, ...)
     */
    record BnInception(String weights) implements BackboneSpec {

        private static final long serialVersionUID = 1L;

        /** The {@code weights} value for random initialisation. */
        public static final String NO_WEIGHTS = "none";

        /**
         * Validates.
         *
         * @param weights {@code "none"} or a weights file path
         */
        public BnInception {
            Objects.requireNonNull(weights, "weights (use \"none\" for random initialisation)");
            if (weights.isBlank()) {
                throw new IllegalArgumentException(
                        "weights must be \"none\" or a TorchScript path, got a blank string");
            }
        }

        /**
         * BN-Inception with random weights.
         *
         * @return the spec
         */
        public static BnInception untrained() {
            return new BnInception(NO_WEIGHTS);
        }

        @Override
        public String id() {
            return "bninception";
        }

        @Override
        public InputSpec input() {
            return InputSpec.caffeBnInception();
        }

        @Override
        public int featureDim() {
            return BnInceptionBackbone.FEATURE_DIM;
        }

        @Override
        public Backbone build(NDManager manager) {
            BnInceptionBackbone net = new BnInceptionBackbone();
            Backbone built = initialised(net, this, manager, null);
            if (!weights.equals(NO_WEIGHTS)) {
                loadNamed(Path.of(weights), manager, "BN-Inception", net::loadCadene);
            }
            return built;
        }
    }

    /**
     * A TorchScript module used as it is (loaded offline with {@code trainParam=true}); its output
     * must be (B, featureDim) or (B, featureDim, 1, 1).
     *
     * @param path the module file
     * @param featureDim its output width
     * @param input what it expects as input
     */
    record TorchScript(String path, int featureDim, InputSpec input) implements BackboneSpec {

        private static final long serialVersionUID = 1L;

        /** File name of the shared ImageNet MobileNetV2 feature extractor. */
        public static final String MOBILENET_V2_FILE = "mobilenet_v2_imagenet_features.torchscript.pt";

        /**
         * Validates.
         *
         * @param path module file
         * @param featureDim output width, positive
         * @param input input spec
         */
        public TorchScript {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(input, "input");
            if (featureDim < 1) {
                throw new IllegalArgumentException("featureDim must be positive, got " + featureDim);
            }
        }

        /**
         * The shared ImageNet MobileNetV2 cut after global average pooling: 1280-d, crop 224, resize
         * 256, RGB scaled to [-1, 1] (mean = std = 0.5 on 0..1), BatchNorm folded (frozen).
         *
         * @param weightsDir the folder holding {@value #MOBILENET_V2_FILE}
         * @return the spec
         */
        public static TorchScript mobileNetV2Imagenet(Path weightsDir) {
            return mobileNetV2ImagenetFile(weightsDir.resolve(MOBILENET_V2_FILE));
        }

        /**
         * The same ImageNet MobileNetV2 features module, from a file of any name.
         *
         * @param file the TorchScript file
         * @return the spec
         */
        public static TorchScript mobileNetV2ImagenetFile(Path file) {
            return new TorchScript(file.toString(), 1280, InputSpec.minusOneToOne());
        }

        @Override
        public String id() {
            return "torchscript-" + Path.of(path).getFileName();
        }

        @Override
        public Backbone build(NDManager manager) {
            var loaded = TorchScriptBlock.load(Path.of(path), featureDim);
            try {
                return initialised(loaded.getValue(), this, manager, loaded.getKey());
            } catch (RuntimeException e) {
                loaded.getKey().close();
                throw e;
            }
        }
    }

    /**
     * Features computed beforehand by another backbone, passed through unchanged: the network's input
     * is a (B, featureDim) array of that backbone's pooled features and the DiVA heads sit directly on
     * it. This is DiVA with the backbone frozen, run on cached features (each training image's random
     * views embedded once), so that thousands of head steps cost what a few steps through the
     * backbone would.
     *
     * @param source the id of the backbone that computed the features
     * @param featureDim the feature width
     * @param input what the source backbone expects as input (the images the features came from)
     */
    record Features(String source, int featureDim, InputSpec input) implements BackboneSpec {

        private static final long serialVersionUID = 1L;

        /**
         * Validates.
         *
         * @param source the source backbone's id, not blank
         * @param featureDim the feature width, positive
         * @param input the source backbone's input spec
         */
        public Features {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(input, "input");
            if (source.isBlank()) {
                throw new IllegalArgumentException("the source backbone's id must not be blank");
            }
            if (featureDim < 1) {
                throw new IllegalArgumentException("featureDim must be positive, got " + featureDim);
            }
        }

        /**
         * The features of a backbone.
         *
         * @param source the backbone that computes them
         * @return the spec of its cached features
         */
        public static Features of(BackboneSpec source) {
            return new Features(source.id(), source.featureDim(), source.input());
        }

        @Override
        public String id() {
            return "features-" + source;
        }

        /**
         * The input shape of a batch of features.
         *
         * @param batchSize the batch size
         * @return (batchSize, featureDim)
         */
        @Override
        public Shape inputShape(int batchSize) {
            return new Shape(batchSize, featureDim);
        }

        @Override
        public Backbone build(NDManager manager) {
            return initialised(new FeatureIdentity(featureDim), this, manager, null);
        }
    }

    /**
     * DJL's PyTorch model-zoo ImageNet ResNet-50 ({@code ai.djl.pytorch/resnet/0.0.1/traced_resnet50},
     * torchvision's ImageNet weights, downloaded into DJL's cache on first use) as DiVA's backbone:
     * the traced module returns 1000 logits, not the pooled features, so its parameters and BatchNorm
     * statistics are loaded by name into {@link ResNetBackbone} (depth 50, frozen BatchNorm), which
     * gives the 2048-d pooled features. Offline without a filled cache it fails at once.
     */
    record ModelZooResNet50() implements BackboneSpec {

        private static final long serialVersionUID = 1L;

        @Override
        public String id() {
            return "resnet50-frozenbn";
        }

        @Override
        public InputSpec input() {
            return InputSpec.imagenet();
        }

        @Override
        public int featureDim() {
            return 2048;
        }

        @Override
        public Backbone build(NDManager manager) {
            Path file = ZooResNet50.locate();
            ResNetBackbone net = new ResNetBackbone(50, true);
            Backbone built = initialised(net, this, manager, null);
            ResNet.loadTorchvision(net, file, manager);
            return built;
        }
    }
}
