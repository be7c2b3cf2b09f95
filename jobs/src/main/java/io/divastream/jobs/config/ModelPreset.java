package io.divastream.jobs.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;

/**
 * Named model settings ({@code model.preset}): each sets several options at once; an option given explicitly (in a
 * file or on the command line) wins over its preset. The glyph presets train the Conv-4 glyph network on
 * single-channel glyphs decoded to {@code image.size} pixels; the photo presets take a pretrained backbone ({@code
 * model.backbone-file}) and keep it frozen, training DiVA's heads on its stored features, or train it whole with
 * {@code train.mode finetune} (docs/photos.md).
 */
public enum ModelPreset {
    /** The Omniglot setting: Conv-4 with 64 channels per block, 28-pixel glyphs, 128-d heads. */
    OMNIGLOT_CONV4(
            "omniglot-conv4",
            Map.of("image.size", "28", "model.channels", "64,64,64,64", "model.embedding-dim", "128")),
    /** The wide Conv-4 of docs/ablation-omniglot-wide-backbone.md: 128 channels per block. */
    OMNIGLOT_CONV4_WIDE(
            "omniglot-conv4-wide",
            Map.of("image.size", "28", "model.channels", "128,128,128,128", "model.embedding-dim", "128")),
    /**
     * Photos through the frozen ImageNet MobileNetV2 (1280-d pooled features), DiVA's heads trained on them with
     * the offline frozen-feature recipe (docs/cub-subset-mobilenetv2.md): 4 x 320-d heads, learning rate 1e-4
     * for heads and regressors, rho 300. A new version re-embeds the stored features at up to 10,000 images/s per
     * subtask in chunks of 500 (a matrix product per image; docs/benchmarks.md, "Refresh").
     */
    PHOTO_MOBILENETV2(
            "photo-mobilenetv2",
            Map.of(
                    "model.embedding-dim", "320",
                    "train.learning-rate", "1e-4",
                    "train.decorrelation-learning-rate", "1e-4",
                    "train.rho", "300",
                    "model.backbone-feature-dim", "1280",
                    "model.backbone-mean", "0.5,0.5,0.5",
                    "model.backbone-std", "0.5,0.5,0.5",
                    "embedding.reembed-rate", "10000",
                    "embedding.reembed-chunk", "500")),
    /**
     * Photos through a user's frozen TorchScript backbone, described by the {@code model.backbone-*} options
     * (feature dimension, input size, resize, normalisation; checked at start-up by one forward pass), with the
     * same heads, learning rates and re-embedding pace as {@link #PHOTO_MOBILENETV2}.
     */
    PHOTO_TORCHSCRIPT(
            "photo-torchscript",
            Map.of(
                    "model.embedding-dim", "320",
                    "train.learning-rate", "1e-4",
                    "train.decorrelation-learning-rate", "1e-4",
                    "train.rho", "300",
                    "embedding.reembed-rate", "10000",
                    "embedding.reembed-chunk", "500")),
    /**
     * The paper's network for GPU hosts: the built-in ResNet-50 with frozen BatchNorm, loaded from torchvision's
     * ImageNet weights ({@code model.backbone-file}: {@code torch.save(resnet50(weights="IMAGENET1K_V1")
     * .state_dict())} or a traced module), trained whole on the photos ({@code train.mode finetune}) with the paper's
     * 4 x 128-d heads, learning rates 1e-5 and weight decay 4e-4 (DIVA_SPEC section 4).
     */
    PHOTO_RESNET50(
            "photo-resnet50",
            Map.of(
                    "model.embedding-dim", "128",
                    "train.learning-rate", "1e-5",
                    "train.weight-decay", "4e-4",
                    "train.decorrelation-learning-rate", "1e-5",
                    "train.mode", "finetune"));

    private final String id;
    private final Map<String, String> values;

    ModelPreset(String id, Map<String, String> values) {
        this.id = id;
        this.values = values;
    }

    /**
     * Returns the preset's name in configuration.
     *
     * @return the name
     */
    public String id() {
        return id;
    }

    /**
     * Returns the options the preset sets, ordered by key.
     *
     * @return per option key, its value
     */
    public Map<String, String> settings() {
        return values.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /**
     * Sets the preset's options that a configuration does not set.
     *
     * @param conf the configuration, changed
     */
    public void applyTo(Configuration conf) {
        for (Map.Entry<String, String> setting : settings().entrySet()) {
            DivaOption<?> option = JobOptions.ALL.options().stream()
                    .filter(o -> o.key().equals(setting.getKey()))
                    .findFirst()
                    .orElseThrow(
                            () -> new IllegalStateException("preset option " + setting.getKey() + " is not declared"));
            option.setUnlessGiven(conf, setting.getValue());
        }
    }

    /**
     * Tells whether the preset takes photos through a frozen backbone (rather than glyphs).
     *
     * @return true for the photo presets
     */
    public boolean photo() {
        return this == PHOTO_MOBILENETV2 || this == PHOTO_TORCHSCRIPT || this == PHOTO_RESNET50;
    }

    /**
     * Finds a preset by name.
     *
     * @param id the name
     * @return the preset
     * @throws ConfigException naming {@code model.preset} if there is none of that name
     */
    public static ModelPreset parse(String id) {
        return Arrays.stream(values())
                .filter(p -> p.id.equals(id.trim()))
                .findFirst()
                .orElseThrow(() -> new ConfigException("option --model.preset must be one of "
                        + Arrays.stream(values()).map(ModelPreset::id).collect(Collectors.joining(", "))
                        + ", got '" + id + "'"));
    }
}
