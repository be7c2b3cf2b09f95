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
                    + " model.embedding-dim), photo-mobilenetv2 (photos through the frozen ImageNet MobileNetV2 of"
                    + " model.backbone-file; sets model.embedding-dim, the learning rates and the backbone's input),"
                    + " photo-torchscript (photos through any TorchScript backbone of model.backbone-file, described"
                    + " by the model.backbone-* options; the same recipe), or photo-resnet50 (the built-in ResNet-50"
                    + " with frozen BatchNorm from torchvision weights in model.backbone-file, trained whole with the"
                    + " paper's recipe; GPU hosts); explicit keys win");
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

    public static final DivaOption<Integer> BACKBONE_FEATURE_DIM = DivaOption.of(
            "model.backbone-feature-dim",
            OptionType.integer(0, 65_536),
            "0",
            "photo presets: the width of the frozen backbone's output per image, checked at start-up by one forward"
                    + " pass (set by photo-mobilenetv2; photo-torchscript needs it)");
    public static final DivaOption<Integer> BACKBONE_INPUT_SIZE = DivaOption.of(
            "model.backbone-input-size",
            OptionType.integer(8, 4096),
            "224",
            "photo presets: the side of the square crop the backbone takes (the evaluation view's centre crop and"
                    + " the training views' random crops)");
    public static final DivaOption<Integer> BACKBONE_RESIZE = DivaOption.of(
            "model.backbone-resize",
            OptionType.integer(8, 4096),
            "256",
            "photo presets: the evaluation view's shorter side before its centre crop (at least the input size)");
    public static final DivaOption<List<Double>> BACKBONE_MEAN = DivaOption.of(
            "model.backbone-mean",
            OptionType.numbers(),
            "0.485,0.456,0.406",
            "photo presets: the backbone's normalisation, per RGB channel on 0..1 pixels: (x - mean) / std"
                    + " (photo-mobilenetv2: 0.5,0.5,0.5)");
    public static final DivaOption<List<Double>> BACKBONE_STD = DivaOption.of(
            "model.backbone-std",
            OptionType.numbers(),
            "0.229,0.224,0.225",
            "photo presets: the backbone's normalisation's standard deviation per RGB channel (photo-mobilenetv2:"
                    + " 0.5,0.5,0.5)");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL = List.of(
            IMAGE_SIZE,
            PRESET,
            HEADS,
            CHANNELS,
            EMBEDDING_DIM,
            SEED,
            BACKBONE_FILE,
            BACKBONE_FEATURE_DIM,
            BACKBONE_INPUT_SIZE,
            BACKBONE_RESIZE,
            BACKBONE_MEAN,
            BACKBONE_STD);

    private ModelOptions() {}
}
