package io.divastream.artefacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.divastream.datasets.CubSample;
import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.images.PhotoDecoder;
import io.divastream.images.PhotoTransforms;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.Embedder;
import io.divastream.model.embed.FeatureExtractor;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.DivaNetwork;
import io.divastream.model.net.ParameterIo;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heads trained on the frozen MobileNetV2's stored features (the stream's photo presets) are exported with the
 * frozen module, and the reloaded artefact embeds real CUB photos exactly as the job does: evaluation view,
 * frozen forward pass, features rounded to the stored precision, heads, combination.
 */
class FrozenExportTest {

    private static final double[] WEIGHTS = {1, 1, 0.5, 1};

    @TempDir
    Path tmp;

    @Test
    void headsOnFrozenFeaturesReloadWithTheirBackboneAndEmbedAsTheJobDoes() throws Exception {
        BackboneSpec.TorchScript mobileNet = mobileNet();
        NetworkSpec spec = headsOn(mobileNet, 32);
        ModelSnapshot snapshot = randomHeads(spec, 7);
        List<byte[]> jpegs = CubSample.firstJpegs(3);

        // the job: the embedding reader's decoder stores half-precision features, the embedder applies the heads
        PhotoTransforms transforms = new PhotoTransforms(mobileNet.input());
        float[][][] heads = new float[spec.heads().size()][jpegs.size()][];
        try (FeatureExtractor extractor = new FeatureExtractor(mobileNet);
                Embedder embedder = new Embedder(spec)) {
            embedder.load(snapshot);
            for (int i = 0; i < jpegs.size(); i++) {
                float[] features =
                        extractor.features(new float[][] {transforms.evalView(PhotoDecoder.decode(jpegs.get(i)))})[0];
                byte[] stored = new StoredFeatures(features, new float[0][]).toBytes(StoredFeatures.Precision.HALF);
                float[][][] one = embedder.embed(
                        new float[][] {StoredFeatures.fromBytes(stored).evaluation()});
                for (int h = 0; h < heads.length; h++) {
                    heads[h][i] = one[h][0];
                }
            }
        }
        float[][] combined = EmbeddingCombiner.combine(heads, WEIGHTS);

        FrozenBackbone frozen = new FrozenBackbone(mobileNet, StoredFeatures.Precision.HALF);
        Path dir = new ArtefactStore(tmp)
                .write(spec, null, frozen, WEIGHTS, snapshot)
                .dir();
        assertThat(Files.readAllBytes(dir.resolve(ModelExport.TORCHSCRIPT)))
                .isEqualTo(Files.readAllBytes(Path.of(mobileNet.path())));
        byte[] manifest = Files.readAllBytes(dir.resolve(ModelExport.MANIFEST));
        assertThat(new String(manifest, java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"type\": \"features\"", "\"featurePrecision\": \"HALF\"", "\"kind\": \"photo\"")
                .doesNotContain(mobileNet.path());
        assertThat(manifest)
                .as("the digest the job's model-versions record carries")
                .isEqualTo(ModelExport.manifestBytes(spec, null, frozen, WEIGHTS, snapshot));

        try (ExportedModel model = ExportedModel.load(dir, snapshot.sha256(), ModelSnapshot.sha256(manifest))) {
            assertThat(model.spec()).isEqualTo(spec);
            for (int i = 0; i < jpegs.size(); i++) {
                ExportedModel.Embedding e = model.embed(jpegs.get(i));
                assertThat(e.combined()).containsExactly(combined[i]);
                for (int h = 0; h < heads.length; h++) {
                    assertThat(e.heads()[h]).containsExactly(heads[h][i]);
                }
            }
        }

        // the frozen module is part of the artefact: without it the artefact does not load
        Files.delete(dir.resolve(ModelExport.TORCHSCRIPT));
        assertThatThrownBy(() -> ExportedModel.load(dir))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("frozen backbone " + ModelExport.TORCHSCRIPT + " is missing");
    }

    @Test
    void headsOnFeaturesAreNotExportedWithoutTheirFrozenBackboneOrWithAnotherOne() throws Exception {
        BackboneSpec.TorchScript mobileNet = mobileNet();
        NetworkSpec spec = headsOn(mobileNet, 16);
        ModelSnapshot snapshot = randomHeads(spec, 1);
        assertThatThrownBy(() -> ModelExport.write(tmp.resolve("a"), spec, null, WEIGHTS, snapshot))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("need the frozen backbone's module");
        BackboneSpec.TorchScript narrower = new BackboneSpec.TorchScript(mobileNet.path(), 640, mobileNet.input());
        assertThatThrownBy(() -> ModelExport.write(
                        tmp.resolve("b"),
                        spec,
                        null,
                        new FrozenBackbone(narrower, StoredFeatures.Precision.SINGLE),
                        WEIGHTS,
                        snapshot))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("640-d features");
        assertThat(tmp.resolve("a")).doesNotExist();
        assertThat(tmp.resolve("b")).doesNotExist();
    }

    private static BackboneSpec.TorchScript mobileNet() {
        return BackboneSpec.TorchScript.mobileNetV2Imagenet(
                SharedFiles.mobileNetV2().getParent());
    }

    /** DiVA's four heads of a width on a backbone's features. */
    private static NetworkSpec headsOn(BackboneSpec.TorchScript backbone, int width) {
        return new NetworkSpec(BackboneSpec.Features.of(backbone), width, List.of(DivaHead.values()), 2 * width);
    }

    private static ModelSnapshot randomHeads(NetworkSpec spec, long version) {
        DjlRuntime.disableGradientRecording();
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                DivaNetwork net = DivaNetwork.create(spec, m)) {
            return new ModelSnapshot(version, 10 * version, ParameterIo.toBytes(net), ParameterIo.count(net));
        }
    }
}
