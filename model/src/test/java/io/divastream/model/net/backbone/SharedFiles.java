package io.divastream.model.net.backbone;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locations of the shared weights and data beside the checkout (surefire runs in the module folder). */
final class SharedFiles {

    static final Path WEIGHTS = Path.of("..", "..", "shared", "weights");
    static final Path CUB = Path.of("..", "..", "shared", "data", "cub200-subset", "CUB_200_2011_classes001-030.tar");

    private SharedFiles() {}

    static Path mobileNetV2() {
        Path file = WEIGHTS.resolve(BackboneSpec.TorchScript.MOBILENET_V2_FILE);
        Assumptions.assumeTrue(Files.isRegularFile(file), "shared MobileNetV2 weights missing: " + file.toAbsolutePath());
        return file;
    }
}
