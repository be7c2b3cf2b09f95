package io.divastream.artefacts;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
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
 * A model with the pretrained MobileNetV2 backbone from {@code ../shared/weights}, exported and reloaded in
 * a fresh {@link ExportedModel}, embeds real CUB photos bit-identically to the in-memory model. Skipped
 * (JUnit assumptions) without the shared weights or photos.
 */
class PhotoExportTest {

    private static final double[] WEIGHTS = {0.5, 1, 1, 1};

    @TempDir
    Path tmp;

    @Test
    void aPretrainedPhotoModelReloadsWithBitIdenticalEmbeddingsOfRealPhotos() throws Exception {
        Path weights = SharedFiles.mobileNetV2().getParent();
        List<byte[]> jpegs = CubSample.firstJpegs(3);
        NetworkSpec spec = new NetworkSpec(
                BackboneSpec.TorchScript.mobileNetV2Imagenet(weights), 32, List.of(DivaHead.values()), 64);
        DjlRuntime.disableGradientRecording();
        ModelSnapshot snapshot;
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                DivaNetwork net = DivaNetwork.create(spec, m)) {
            // move the backbone off its pretrained weights: the artefact must carry the trained ones
            NDArray firstConv = net.getParameters().get(0).getValue().getArray();
            firstConv.muli(m.create(1.01f));
            snapshot = new ModelSnapshot(4, 40, ParameterIo.toBytes(net), ParameterIo.count(net));
        }

        PhotoTransforms transforms = new PhotoTransforms(spec.backbone().input());
        float[][][] heads = new float[spec.heads().size()][jpegs.size()][];
        try (Embedder embedder = new Embedder(spec)) {
            embedder.load(snapshot);
            for (int i = 0; i < jpegs.size(); i++) {
                // one photo per forward pass on both sides: kernels may round differently per batch size
                float[][][] one =
                        embedder.embed(new float[][] {transforms.evalView(PhotoDecoder.decode(jpegs.get(i)))});
                for (int h = 0; h < heads.length; h++) {
                    heads[h][i] = one[h][0];
                }
            }
        }
        float[][] combined = EmbeddingCombiner.combine(heads, WEIGHTS);

        ArtefactStore store = new ArtefactStore(tmp);
        Path dir = store.write(spec, null, WEIGHTS, snapshot).dir();
        assertThat(dir.getFileName().toString())
                .isEqualTo("v4-" + snapshot.sha256().substring(0, 12));
        assertThat(Files.readAllBytes(dir.resolve(ModelExport.TORCHSCRIPT)))
                .isEqualTo(Files.readAllBytes(weights.resolve(BackboneSpec.TorchScript.MOBILENET_V2_FILE)));
        assertThat(Files.readString(dir.resolve(ModelExport.MANIFEST)))
                .contains("\"type\": \"torchscript\"", "\"kind\": \"photo\"")
                .doesNotContain(weights.toString());
        try (ExportedModel model = ExportedModel.load(dir, snapshot.sha256())) {
            assertThat(model.manifest().preprocessing().inputSpec())
                    .isEqualTo(spec.backbone().input());
            for (int i = 0; i < jpegs.size(); i++) {
                ExportedModel.Embedding e = model.embed(jpegs.get(i));
                assertThat(e.combined()).containsExactly(combined[i]);
                for (int h = 0; h < heads.length; h++) {
                    assertThat(e.heads()[h]).containsExactly(heads[h][i]);
                }
            }
        }
    }
}
