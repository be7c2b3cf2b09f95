package io.divastream.jobs.config;

import io.divastream.model.DivaHead;
import java.util.List;

/** The network: {@code image.size} and {@code model.*}; {@code model.preset} sets several at once. */
public final class ModelOptions {

    public static final DivaOption<Integer> IMAGE_SIZE = DivaOption.of(
            "image.size",
            OptionType.integer(8, 1024),
            "28",
            "side of the square model input in pixels (set by model.preset)");
    public static final DivaOption<ModelPreset> PRESET = DivaOption.of(
            "model.preset",
            OptionType.choice(ModelPreset.class, ModelPreset::parse),
            ModelPreset.OMNIGLOT_CONV4.id(),
            "model preset: omniglot-conv4 or omniglot-conv4-wide (glyphs; set image.size, model.channels,"
                    + " model.embedding-dim), or photo-mobilenetv2 (photos through the frozen ImageNet MobileNetV2 of"
                    + " model.backbone-file; sets model.embedding-dim and the learning rates); explicit keys win");
    public static final DivaOption<List<DivaHead>> HEADS = DivaOption.of(
            "model.heads",
            OptionType.choices(DivaHead.class, DivaHead::parse),
            "discriminative,selfsim,shared,intra",
            "enabled heads, discriminative first");
    public static final DivaOption<List<Integer>> CHANNELS = DivaOption.of(
            "model.channels",
            OptionType.integers(),
            "64,64,64,64",
            "channels of the backbone's conv blocks (set by model.preset)");
    public static final DivaOption<Integer> EMBEDDING_DIM = DivaOption.of(
            "model.embedding-dim", OptionType.integer(4, 4096), "128", "dimension of each head (set by model.preset)");
    public static final DivaOption<Long> SEED = DivaOption.of(
            "model.seed",
            OptionType.longInteger(Long.MIN_VALUE, Long.MAX_VALUE),
            "0",
            "seed of initialisation, miners and augmentation");

    public static final DivaOption<String> BACKBONE_FILE = DivaOption.of(
            "model.backbone-file",
            OptionType.text(),
            "",
            "photo presets: the TorchScript file of the frozen backbone (photo-mobilenetv2: the ImageNet MobileNetV2"
                    + " features module, mobilenet_v2_imagenet_features.torchscript.pt); a path every task manager can"
                    + " read");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL =
            List.of(IMAGE_SIZE, PRESET, HEADS, CHANNELS, EMBEDDING_DIM, SEED, BACKBONE_FILE);

    private ModelOptions() {}
}
