package io.divastream.model.net.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class InputSpecTest {

    @Test
    void presetsFollowTheSpec() {
        InputSpec imagenet = InputSpec.imagenet();
        assertThat(imagenet.cropSize()).isEqualTo(224);
        assertThat(imagenet.resizeSize()).isEqualTo(256);
        assertThat(imagenet.normalize(255 * 0.485, 0)).isCloseTo(0f, within(1e-6f));
        assertThat(imagenet.normalize(255, 2)).isCloseTo((1 - 0.406f) / 0.225f, within(1e-6f));

        InputSpec mobile = InputSpec.minusOneToOne();
        assertThat(mobile.normalize(0, 1)).isEqualTo(-1f);
        assertThat(mobile.normalize(255, 1)).isEqualTo(1f);
        assertThat(mobile.normalize(127.5, 1)).isEqualTo(0f);

        // Caffe BN-Inception: BGR, 227, and 0..255 samples minus about (104, 117, 128) in B, G, R order
        InputSpec caffe = InputSpec.caffeBnInception();
        assertThat(caffe.bgr()).isTrue();
        assertThat(caffe.cropSize()).isEqualTo(227);
        assertThat(caffe.normalize(104, 0)).isCloseTo(0f, within(0.05f));
        assertThat(caffe.normalize(117, 1)).isCloseTo(0f, within(0.05f));
        assertThat(caffe.normalize(128, 2)).isCloseTo(0f, within(0.05f));
        assertThat(caffe.normalize(228, 2) - caffe.normalize(128, 2)).isCloseTo(100f, within(0.6f));
    }

    @Test
    void valuesCompareByContentAndAreDefensivelyCopied() throws Exception {
        float[] mean = {0.1f, 0.2f, 0.3f};
        InputSpec a = new InputSpec(3, 32, 40, mean, new float[] {1, 1, 1}, 255, false);
        mean[0] = 9f;
        a.mean()[1] = 9f;
        InputSpec b = new InputSpec(3, 32, 40, new float[] {0.1f, 0.2f, 0.3f}, new float[] {1, 1, 1}, 255, false);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a)
                .isNotEqualTo(
                        new InputSpec(3, 32, 40, new float[] {0.1f, 0.2f, 0.3f}, new float[] {1, 1, 1}, 255, true));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new BackboneSpec.TorchScript("x.pt", 8, a));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(new BackboneSpec.TorchScript("x.pt", 8, b));
        }
    }

    @Test
    void invalidSpecsAreRejectedByName() {
        assertThatThrownBy(() -> new InputSpec(2, 32, 32, new float[2], new float[] {1, 1}, 255, false))
                .hasMessageContaining("channels must be 1 or 3, got 2");
        assertThatThrownBy(() -> new InputSpec(3, 224, 200, new float[3], new float[] {1, 1, 1}, 255, false))
                .hasMessageContaining("resizeSize must be in [cropSize=224");
        assertThatThrownBy(() -> new InputSpec(3, 224, 256, new float[3], new float[] {1, 0, 1}, 255, false))
                .hasMessageContaining("std[1] must be positive");
        assertThatThrownBy(() -> new InputSpec(3, 224, 256, new float[2], new float[] {1, 1, 1}, 255, false))
                .hasMessageContaining("mean and std must have 3 entries");
        assertThatThrownBy(() -> new InputSpec(1, 28, 28, new float[1], new float[] {1}, 255, true))
                .hasMessageContaining("bgr needs 3 channels");
    }
}
