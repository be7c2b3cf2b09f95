package io.divastream.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClassBalancedSamplerTest {

    /** Ten classes c0..c9 with 3 images each; every image is a one-element array holding its number. */
    private static LabeledImages<float[]> images() {
        List<String> ids = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        for (int c = 9; c >= 0; c--) { // listed in reverse to check the canonical order
            for (int i = 0; i < 3; i++) {
                ids.add("c" + c + "/" + i);
                labels.add("c" + c);
                pixels.add(new float[] {c * 3 + i});
            }
        }
        return new LabeledImages<>(ids, labels, pixels);
    }

    private record Drawn(List<String> labels, float[][] images) {
        int size() {
            return images.length;
        }
    }

    private static Drawn draw(ClassBalancedSampler sampler, LabeledImages<float[]> images, SplittableRandom random) {
        int[] batch = sampler.next(random);
        List<String> labels = new ArrayList<>();
        float[][] pixels = new float[batch.length][];
        for (int i = 0; i < batch.length; i++) {
            labels.add(images.labels().get(batch[i]));
            pixels[i] = images.images().get(batch[i]);
        }
        return new Drawn(labels, pixels);
    }

    @Test
    void imagesAreKeptInLabelThenIdOrder() {
        LabeledImages<float[]> images = images();
        assertThat(images.ids().get(0)).isEqualTo("c0/0");
        assertThat(images.ids().get(29)).isEqualTo("c9/2");
        assertThat(images.images().get(4)[0]).isEqualTo(4f);
        assertThat(images.classIndices()).startsWith(0, 0, 0, 1, 1, 1).endsWith(9, 9, 9);
    }

    @Test
    void distinctModeDrawsDistinctClassesAndImagesAndLabelsMatchImages() {
        ClassBalancedSampler sampler = new ClassBalancedSampler(images(), 4, 3, SamplingMode.DISTINCT);
        SplittableRandom random = new SplittableRandom(1);
        for (int b = 0; b < 200; b++) {
            Drawn batch = draw(sampler, images(), random);
            assertThat(batch.size()).isEqualTo(12);
            assertThat(new HashSet<>(batch.labels())).hasSize(4);
            Set<Float> seen = new HashSet<>();
            for (int i = 0; i < batch.size(); i++) {
                float value = batch.images()[i][0];
                assertThat(batch.labels().get(i)).isEqualTo("c" + (int) (value / 3));
                assertThat(seen.add(value)).isTrue();
            }
        }
    }

    @Test
    void replacementModeRepeatsClassesAndImagesAtTheExpectedRate() {
        // 5 classes drawn from 10 with replacement: P(all distinct) = 10*9*8*7*6 / 10^5 = 0.3024
        ClassBalancedSampler sampler = new ClassBalancedSampler(images(), 5, 2, SamplingMode.WITH_REPLACEMENT);
        SplittableRandom random = new SplittableRandom(2);
        int n = 4000;
        int allDistinct = 0;
        Map<String, Integer> classCounts = new HashMap<>();
        int imageRepeats = 0;
        int pairs = 0;
        for (int b = 0; b < n; b++) {
            Drawn batch = draw(sampler, images(), random);
            if (new HashSet<>(batch.labels()).size() == 5) {
                allDistinct++;
            }
            for (int i = 0; i < batch.size(); i += 2) {
                classCounts.merge(batch.labels().get(i), 1, Integer::sum);
                pairs++;
                if (batch.images()[i][0] == batch.images()[i + 1][0]) {
                    imageRepeats++;
                }
            }
        }
        double p = 0.3024;
        double sd = Math.sqrt(p * (1 - p) / n);
        assertThat(allDistinct / (double) n).isBetween(p - 5 * sd, p + 5 * sd);
        // two images of a class drawn independently from 3 coincide with probability 1/3
        double q = 1.0 / 3;
        double sdq = Math.sqrt(q * (1 - q) / pairs);
        assertThat(imageRepeats / (double) pairs).isBetween(q - 5 * sdq, q + 5 * sdq);
        assertThat(classCounts).hasSize(10);
        int expected = pairs / 10;
        classCounts.values().forEach(c -> assertThat(c).isBetween(expected - 300, expected + 300));
    }

    @Test
    void theSameSeedGivesTheSameBatches() {
        ClassBalancedSampler sampler = new ClassBalancedSampler(images(), 4, 2, SamplingMode.WITH_REPLACEMENT);
        assertThat(sampler.next(new SplittableRandom(9))).containsExactly(sampler.next(new SplittableRandom(9)));
    }

    @Test
    void rejectsImpossibleLayouts() {
        assertThatThrownBy(() -> new ClassBalancedSampler(images(), 11, 2, SamplingMode.DISTINCT))
                .hasMessageContaining("11 distinct classes per batch but only 10 classes");
        assertThatThrownBy(() -> SamplingMode.parse("shuffle"))
                .hasMessageContaining("expected replacement or distinct");
        assertThatThrownBy(() ->
                        new LabeledImages<>(List.of("a", "a"), List.of("x", "x"), List.of(new float[1], new float[1])))
                .hasMessageContaining("duplicate image id a");
    }
}
