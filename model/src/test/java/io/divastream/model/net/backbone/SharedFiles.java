package io.divastream.model.net.backbone;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locations of the shared weights and data beside the checkout (surefire runs in the module folder). */
public final class SharedFiles {

    /** The shared pretrained weights. */
    public static final Path WEIGHTS = Path.of("..", "..", "shared", "weights");
    /** The shared CUB-200 subset archive. */
    public static final Path CUB =
            Path.of("..", "..", "shared", "data", "cub200-subset", "CUB_200_2011_classes001-030.tar");

    private SharedFiles() {}

    /**
     * The shared MobileNetV2 TorchScript module; skips the calling test (JUnit assumption) if it is absent.
     *
     * @return the file
     */
    public static Path mobileNetV2() {
        Path file = WEIGHTS.resolve(BackboneSpec.TorchScript.MOBILENET_V2_FILE);
        Assumptions.assumeTrue(
                Files.isRegularFile(file), "shared MobileNetV2 weights missing: " + file.toAbsolutePath());
        return file;
    }
}
