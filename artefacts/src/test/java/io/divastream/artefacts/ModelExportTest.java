package io.divastream.artefacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.images.HostileImages;
import io.divastream.images.ImageDecoder;
import io.divastream.images.ImageLimits;
import io.divastream.images.InvalidImageException;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.Embedder;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelExportTest {

    private static ModelSnapshot snapshot;

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() {
        snapshot = TestModels.snapshot(7, 3);
    }

    @Test
    void exportedModelGivesIdenticalEmbeddingsToTheInMemoryEmbedder() throws IOException {
        Path dir = TestModels.export(tmp.resolve("v7"), snapshot);
        SplittableRandom random = new SplittableRandom(11);
        byte[][] pngs = new byte[6][];
        float[][] inputs = new float[6][];
        ImageDecoder decoder = new ImageDecoder(TestModels.IMAGE_SPEC);
        for (int i = 0; i < pngs.length; i++) {
            pngs[i] = TestModels.png(TestModels.glyph(i % 4, random), 56);
            // the streaming job's path: decode, quantise to bytes, back to floats
            inputs[i] = ImageDecoder.fromBytes(ImageDecoder.toBytes(decoder.decode(pngs[i])));
        }
        // one image per forward pass on both sides (PyTorch's kernels may round differently per batch size)
        float[][][] heads = new float[TestModels.SPEC.heads().size()][inputs.length][];
        try (Embedder embedder = new Embedder(TestModels.SPEC)) {
            embedder.load(snapshot);
            for (int i = 0; i < inputs.length; i++) {
                float[][][] one = embedder.embed(new float[][] {inputs[i]});
                for (int h = 0; h < heads.length; h++) {
                    heads[h][i] = one[h][0];
                }
            }
        }
        float[][] combined = EmbeddingCombiner.combine(heads, TestModels.WEIGHTS);

        try (ExportedModel model = ExportedModel.load(dir)) {
            assertThat(model.version()).isEqualTo(7);
            assertThat(model.manifest().trainingStep()).isEqualTo(3);
            assertThat(model.manifest().parameterSha256()).isEqualTo(snapshot.sha256());
            assertThat(model.spec()).isEqualTo(TestModels.SPEC);
            for (int i = 0; i < pngs.length; i++) {
                ExportedModel.Embedding e = model.embed(pngs[i]);
                assertThat(e.combined()).containsExactly(combined[i]);
                for (int h = 0; h < heads.length; h++) {
                    assertThat(e.heads()[h]).containsExactly(heads[h][i]);
                }
            }
            ExportedModel.Embedding[] batch = model.embedInputs(inputs);
            for (int i = 0; i < inputs.length; i++) {
                assertThat(batch[i].combined())
                        .containsExactly(combined[i], org.assertj.core.data.Offset.offset(1e-6f));
            }
            assertThatThrownBy(() -> model.embed("not an image".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(InvalidImageException.class);
        }
        assertThat(Files.readAllBytes(dir.resolve(ModelExport.PARAMETERS))).isEqualTo(snapshot.parameters());
        String json = Files.readString(dir.resolve(ModelExport.MANIFEST));
        assertThat(json)
                .contains(
                        "\"modelVersion\": 7",
                        "\"type\": \"glyphcnn\"",
                        "\"kind\": \"glyph\"",
                        "\"heads\": [",
                        "\"discriminative\"",
                        "\"headWeights\": [");
    }

    @Test
    void tamperedParametersAreRejectedNamingTheFile() throws IOException {
        Path dir = TestModels.export(tmp.resolve("bad"), snapshot);
        byte[] bytes = Files.readAllBytes(dir.resolve(ModelExport.PARAMETERS));
        bytes[bytes.length - 1] ^= 1;
        Files.write(dir.resolve(ModelExport.PARAMETERS), bytes);
        assertThatThrownBy(() -> ExportedModel.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(ModelExport.PARAMETERS)
                .hasMessageContaining("SHA-256");
    }

    @Test
    void anArtefactWithOtherParametersThanExpectedIsRefusedNamingBothShas() throws IOException {
        Path dir = TestModels.export(tmp.resolve("v7"), snapshot);
        String committed = "ab".repeat(32);
        assertThatThrownBy(() -> ExportedModel.load(dir, committed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(ModelExport.MANIFEST)
                .hasMessageContaining(snapshot.sha256())
                .hasMessageContaining("expected " + committed);
        try (ExportedModel model = ExportedModel.load(dir, snapshot.sha256())) {
            assertThat(model.manifest().parameterSha256()).isEqualTo(snapshot.sha256());
        }
    }

    @Test
    void theManifestBytesAreExactlyTheWrittenManifest() throws IOException {
        Path dir = TestModels.export(tmp.resolve("v7"), snapshot);
        byte[] expected =
                ModelExport.manifestBytes(TestModels.SPEC, TestModels.IMAGE_SPEC, TestModels.WEIGHTS, snapshot);
        assertThat(Files.readAllBytes(dir.resolve(ModelExport.MANIFEST))).isEqualTo(expected);
        try (ExportedModel model = ExportedModel.load(dir, snapshot.sha256(), ModelSnapshot.sha256(expected))) {
            assertThat(model.version()).isEqualTo(7);
        }
    }

    @Test
    void aManifestWhoseDigestIsNotTheExpectedOneIsRefusedBeforeItIsRead() throws IOException {
        Path dir = TestModels.export(tmp.resolve("v7"), snapshot);
        Path manifest = dir.resolve(ModelExport.MANIFEST);
        String committed = ModelSnapshot.sha256(Files.readAllBytes(manifest));
        String json = Files.readString(manifest);
        // the polarity of the glyphs: the parameters are untouched, every embedding would be wrong
        Files.writeString(manifest, json.replace("\"invert\": true", "\"invert\": false"));
        assertThat(Files.readString(manifest)).isNotEqualTo(json);
        try (ExportedModel unchecked = ExportedModel.load(dir, snapshot.sha256())) {
            assertThat(unchecked.manifest().preprocessing().invert()).isFalse();
        }
        assertThatThrownBy(() -> ExportedModel.load(dir, snapshot.sha256(), committed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(ModelExport.MANIFEST)
                .hasMessageContaining("expected " + committed);

        Files.write(manifest, java.util.Arrays.copyOf(json.getBytes(StandardCharsets.UTF_8), 100));
        assertThatThrownBy(() -> ExportedModel.load(dir, snapshot.sha256(), committed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("100 bytes with SHA-256")
                .hasMessageContaining("expected " + committed);
        // unchecked, the cut manifest does not parse: the message names the problem, not Gson's classes
        assertThatThrownBy(() -> ExportedModel.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a model manifest")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Exception", "gson", "\n"));
    }

    @Test
    void aParametersFileOfAnotherSizeIsRefusedWithoutReadingIt() throws IOException {
        Path dir = TestModels.export(tmp.resolve("v7"), snapshot);
        Files.write(dir.resolve(ModelExport.PARAMETERS), new byte[0]);
        assertThatThrownBy(() -> ExportedModel.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(
                        ModelExport.PARAMETERS + ": 0 bytes, the manifest says " + snapshot.parameters().length);
    }

    @Test
    void imagesAreDecodedWithinTheLimitsGiven() throws IOException {
        Path dir = TestModels.export(tmp.resolve("v7"), snapshot);
        byte[] png = TestModels.png(TestModels.glyph(1, new SplittableRandom(1)), 56);
        ImageLimits small = new ImageLimits(1 << 20, 40 * 40, 40 * 40 * 8);
        try (ExportedModel model = ExportedModel.load(dir)) {
            assertThat(model.embed(png, ImageLimits.DEFAULT).combined())
                    .containsExactly(model.embed(png).combined());
            assertThatThrownBy(() -> model.embed(png, small))
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining("56x56");
            byte[] bomb = HostileImages.zeroPng(8192, 8192, 16, HostileImages.RGBA);
            assertThatThrownBy(() -> model.embed(bomb, ImageLimits.DEFAULT))
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining("8192x8192");
        }
    }

    @Test
    void refusesANonEmptyDirectoryAndReportsAMissingManifest() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(dir.resolve("x"), "x");
        assertThatThrownBy(() -> TestModels.export(dir, snapshot)).hasMessageContaining("not empty");
        assertThatThrownBy(() -> ExportedModel.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(ModelExport.MANIFEST + " is missing");
    }

    @Test
    void manifestDescribesPhotoBackbonesWithoutTheirPretrainedWeightFiles() {
        NetworkSpec resnet = new NetworkSpec(
                new BackboneSpec.ResNet(18, true, "/some/where/resnet18.pt"), 16, TestModels.SPEC.heads(), 32);
        ModelManifest m = new ModelManifest(
                ModelManifest.FORMAT,
                3,
                10,
                1,
                1,
                "00",
                ModelManifest.network(resnet, null, null),
                ModelManifest.Preprocessing.photo(resnet.backbone().input()),
                new double[] {1, 1, 1, 1});
        ModelManifest back = ModelManifest.fromJson(m.toJson(), "test");
        NetworkSpec spec = back.networkSpec(Path.of("."));
        assertThat(spec.backbone()).isEqualTo(BackboneSpec.ResNet.untrained(18));
        assertThat(spec.heads()).isEqualTo(resnet.heads());
        assertThat(back.preprocessing().inputSpec()).isEqualTo(resnet.backbone().input());
        assertThatThrownBy(() -> ModelManifest.fromJson(m.toJson().replace("\"format\": 1", "\"format\": 9"), "m.json"))
                .hasMessageContaining("m.json")
                .hasMessageContaining("format 9");
        assertThat(List.of(back.headWeights().length)).containsExactly(4);
    }
}
