package io.divastream.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.datasets.DatasetException;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.model.DivaHead;
import io.divastream.model.net.backbone.SharedFiles;
import io.divastream.producer.LabeledImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's datasets: the photo runs' job options, the class split of the published labels, the data errors. */
class DemoDatasetTest {

    @TempDir
    Path dir;

    private JobConfig job(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (all.contains("cub")) {
            all.addAll(
                    List.of("--model.backbone-file", SharedFiles.mobileNetV2().toString()));
        }
        Configuration given = DemoOptions.withDatasetDefaults(DemoOptions.ALL.parse(all.toArray(String[]::new)));
        return JobOptions.fromConfiguration(DemoOptions.ALL.jobConfiguration(given, "127.0.0.1:9", dir));
    }

    @Test
    void aCubRunStreamsPhotosThroughTheFrozenBackboneWithTheOfflineRecipeUnlessGiven() {
        JobConfig config = job("--demo.dataset", "cub", "--batch.classes", "10");
        assertThat(config.training().decoding()).isInstanceOf(SampleDecoding.Features.class);
        assertThat(config.routing().evalLabelRegex()).isEqualTo("^test/");
        assertThat(config.batching().classesPerBatch()).as("given").isEqualTo(10);
        assertThat(config.batching().imagesPerClass()).isEqualTo(4);
        assertThat(config.training().model().optimizer().decaySteps())
                .as("no decay")
                .isEmpty();
        assertThat(config.training().model().network().embeddingDim()).isEqualTo(320);
        assertThat(((SampleDecoding.Features) config.training().decoding()).trainingViews())
                .as("the demo's views, for its 15-minute budget")
                .isEqualTo(4);
        Configuration given = DemoOptions.withDatasetDefaults(DemoOptions.ALL.parse("--demo.dataset", "cub"));
        assertThat(DemoOptions.MAX_STEPS.get(given)).isEqualTo(2000L);
    }

    @Test
    void theGlyphDemoKeepsItsDefaults() {
        JobConfig config = job();
        assertThat(config.training().decoding()).isInstanceOf(SampleDecoding.Glyphs.class);
        assertThat(config.training().model().optimizer().decaySteps()).containsExactly(3000L);
        assertThat(DemoOptions.MAX_STEPS.get(DemoOptions.withDatasetDefaults(DemoOptions.ALL.parse())))
                .isEqualTo(4000L);
    }

    @Test
    void discriminativeOnlyTrainsOneHeadAsWideAsTheFourUnlessAWidthIsGiven() {
        JobConfig photos = job("--demo.dataset", "cub", "--demo.discriminative-only", "true");
        assertThat(photos.training().model().network().heads()).containsExactly(DivaHead.DISCRIMINATIVE);
        assertThat(photos.training().model().network().embeddingDim()).isEqualTo(4 * 320);
        JobConfig glyphs = job("--demo.discriminative-only", "true");
        assertThat(glyphs.training().model().network().embeddingDim()).isEqualTo(4 * 128);
        JobConfig given = job("--demo.discriminative-only", "true", "--model.embedding-dim", "64");
        assertThat(given.training().model().network().embeddingDim()).isEqualTo(64);
    }

    @Test
    void photosOfTheHeldOutClassRangeAreLabelledForEvaluationAndTheOthersForTraining() throws IOException {
        Map<Integer, Integer> perClass = new java.util.HashMap<>();
        for (int c = 1; c <= 30; c++) {
            perClass.put(c, c == 1 || c == 21 ? 2 : 1);
        }
        List<LabeledImage> images = DemoDataset.CUB.load(cubFolder(perClass).toString(), "");
        Map<String, Long> perLabel =
                images.stream().collect(Collectors.groupingBy(LabeledImage::label, Collectors.counting()));
        assertThat(perLabel).hasSize(30);
        assertThat(perLabel.keySet().stream().filter(l -> l.startsWith("train/")))
                .hasSize(20)
                .contains("train/001.Class_1", "train/020.Class_20");
        assertThat(perLabel.keySet().stream().filter(l -> l.startsWith("test/")))
                .hasSize(10)
                .contains("test/021.Class_21", "test/030.Class_30");
        assertThat(perLabel).containsEntry("train/001.Class_1", 2L).containsEntry("test/021.Class_21", 2L);
        // a recipe is chosen on training classes: 1-15 trained, 16-20 held out, 21-30 not published at all
        Map<String, Long> recipe = DemoDataset.CUB
                .load(dir.resolve("CUB_200_2011").toString(), "1-15:16-20")
                .stream()
                .collect(Collectors.groupingBy(LabeledImage::label, Collectors.counting()));
        assertThat(recipe.keySet().stream().filter(l -> l.startsWith("test/")))
                .containsExactlyInAnyOrder(
                        "test/016.Class_16",
                        "test/017.Class_17",
                        "test/018.Class_18",
                        "test/019.Class_19",
                        "test/020.Class_20");
        assertThat(recipe).hasSize(20);
        assertThatThrownBy(
                        () -> DemoDataset.CUB.load(dir.resolve("CUB_200_2011").toString(), "1-15"))
                .hasMessageStartingWith("option --demo.classes: split must be");
        assertThatThrownBy(() -> DemoDataset.OMNIGLOT.load("", "1-2:3"))
                .hasMessageContaining("Omniglot holds out alphabets");
        assertThat(images).allSatisfy(i -> assertThat(i.bytes()).isNotEmpty());
    }

    @Test
    void missingPhotosAreOneErrorNamingWhereTheyWereLookedFor() {
        Path missing = dir.resolve("no-cars-here");
        assertThatThrownBy(() -> DemoDataset.CARS.load(missing.toString(), ""))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("--demo.dataset cars: no data at " + missing.toAbsolutePath());
        assertThatThrownBy(() -> DemoDataset.parse("sop")).hasMessage("must be omniglot, cub or cars: sop");
    }

    /** A CUB folder with the given number of images per class id. */
    private Path cubFolder(Map<Integer, Integer> imagesPerClass) throws IOException {
        Path root = dir.resolve("CUB_200_2011");
        List<String> classes = new ArrayList<>();
        List<String> images = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int id = 0;
        for (int classId : imagesPerClass.keySet().stream().sorted().toList()) {
            String name = String.format("%03d.Class_%d", classId, classId);
            classes.add(classId + " " + name);
            Files.createDirectories(root.resolve("images").resolve(name));
            for (int i = 0; i < imagesPerClass.get(classId); i++) {
                id++;
                String relative = name + "/img_" + i + ".png";
                ImageIO.write(
                        new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB),
                        "png",
                        root.resolve("images").resolve(relative).toFile());
                images.add(id + " " + relative);
                labels.add(id + " " + classId);
            }
        }
        Files.write(root.resolve("classes.txt"), classes);
        Files.write(root.resolve("images.txt"), images);
        Files.write(root.resolve("image_class_labels.txt"), labels);
        return root;
    }
}
