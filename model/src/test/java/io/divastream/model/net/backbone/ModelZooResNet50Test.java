package io.divastream.model.net.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ai.djl.ndarray.NDManager;
import ai.djl.util.Utils;
import io.divastream.model.DjlRuntime;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ModelZooResNet50Test {

    @Test
    void offlineWithoutACachedCopyFailsAtOnceWithInstructions() throws Exception {
        DjlRuntime.engine();
        Assumptions.assumeTrue(Utils.isOfflineMode(), "the tests run DJL offline");
        var repo = new ai.djl.repository.RemoteRepository("probe", java.net.URI.create(ZooResNet50.REPOSITORY));
        Assumptions.assumeFalse(
                java.nio.file.Files.exists(repo.getCacheDirectory()
                        .resolve("model/cv/image_classification/ai/djl/pytorch/resnet/metadata.json")),
                "DJL's cache already holds the zoo ResNet-50");
        var spec = new BackboneSpec.ModelZooResNet50();
        assertThat(spec.featureDim()).isEqualTo(2048);
        assertThat(spec.input()).isEqualTo(InputSpec.imagenet());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (NDManager m = DjlRuntime.engine().newBaseManager()) {
                assertThatThrownBy(() -> spec.build(m))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("needs network")
                        .hasMessageContaining("DJL_OFFLINE=false")
                        .hasMessageContaining("DJL_CACHE_DIR");
            }
        });
    }
}
