package io.divastream.search;

import io.divastream.artefacts.ExportedModel;
import io.divastream.artefacts.ModelExport;
import io.divastream.artefacts.ModelManifest;
import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.images.ImageSpec;
import io.divastream.model.DivaHead;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.Embedder;
import io.divastream.model.net.DivaNetwork;
import io.divastream.model.net.ParameterIo;
import io.divastream.model.net.backbone.BackboneSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code export}: writes an artefact ({@link ModelExport}) from a parameters file in {@link ParameterIo}
 * format (the bytes of {@link ModelSnapshot#parameters()}) and the network options, then verifies it:
 * the artefact is loaded back ({@link ExportedModel#load}) and must give bit-identical per-head and
 * combined embeddings to an {@link Embedder} holding the same parameters, on random probe inputs.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description =
                "Write a model version as a self-contained artefact (parameters.bin + manifest.json) and verify it.")
public final class ExportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--parameters",
            required = true,
            paramLabel = "FILE",
            description = "the query network's parameters (ParameterIo format, as ModelSnapshot.parameters())")
    Path parameters;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the artefact directory to create")
    Path out;

    @Option(names = "--model-version", required = true, description = "the model version")
    long version;

    @Option(names = "--step", defaultValue = "0", description = "the training step (default: ${DEFAULT-VALUE})")
    long step;

    @Option(
            names = "--backbone",
            defaultValue = "glyphcnn",
            description = "glyphcnn, resnet18, resnet50 or bninception (default: ${DEFAULT-VALUE})")
    String backbone;

    @Option(
            names = "--channels",
            split = ",",
            defaultValue = "64,64,64,64",
            description = "glyphcnn: block widths (default: ${DEFAULT-VALUE})")
    List<Integer> channels;

    @Option(
            names = "--input-size",
            defaultValue = "28",
            description = "glyphcnn: glyph side (default: ${DEFAULT-VALUE})")
    int inputSize;

    @Option(names = "--no-invert", description = "glyphcnn: dark is 0 (default: ink is 1, as Omniglot)")
    boolean noInvert;

    @Option(
            names = "--embedding-dim",
            defaultValue = "128",
            description = "per-head dimension (default: ${DEFAULT-VALUE})")
    int embeddingDim;

    @Option(
            names = "--heads",
            split = ",",
            defaultValue = "discriminative,selfsim,shared,intra",
            description = "heads in network order (default: ${DEFAULT-VALUE})")
    List<String> heads;

    @Option(
            names = "--decorrelation-hidden",
            defaultValue = "512",
            description = "decorrelation regressor width (default: ${DEFAULT-VALUE})")
    int decorrelationHidden;

    @Option(names = "--head-weights", split = ",", description = "combined-embedding weight per head (default: all 1)")
    double[] headWeights;

    @Override
    public Integer call() throws Exception {
        BackboneSpec b = switch (backbone) {
            case "glyphcnn" -> new BackboneSpec.GlyphCnn(channels, inputSize);
            case "resnet18" -> BackboneSpec.ResNet.untrained(18);
            case "resnet50" -> BackboneSpec.ResNet.untrained(50);
            case "bninception" -> BackboneSpec.BnInception.untrained();
            default ->
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--backbone must be glyphcnn, resnet18, resnet50 or bninception, got '" + backbone + "'");
        };
        NetworkSpec spec = new NetworkSpec(
                b, embeddingDim, heads.stream().map(DivaHead::parse).toList(), decorrelationHidden);
        double[] weights = headWeights == null ? filled(heads.size()) : headWeights;
        byte[] bytes = Files.readAllBytes(parameters);
        long count;
        try (Embedder probe = new Embedder(spec)) {
            // checks that the parameters fit the network before anything is written
            probe.load(new ModelSnapshot(version, step, bytes, 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    parameters + " does not fit the network " + b.id() + ": " + e.getMessage(), e);
        }
        try (var manager = io.divastream.model.DjlRuntime.engine().newBaseManager();
                DivaNetwork net = DivaNetwork.create(spec, manager)) {
            count = ParameterIo.count(net);
        }
        ModelSnapshot snapshot = new ModelSnapshot(version, step, bytes, count);
        ModelManifest manifest = ModelExport.write(out, spec, new ImageSpec(inputSize, !noInvert), weights, snapshot);
        verify(spec, snapshot, weights);
        System.out.printf(
                "exported model version %d (%s, %,d parameters, sha256 %s) to %s; verified%n",
                manifest.modelVersion(), b.id(), count, manifest.parameterSha256(), out.toAbsolutePath());
        return 0;
    }

    private void verify(NetworkSpec spec, ModelSnapshot snapshot, double[] weights) throws Exception {
        int size = (int) DivaNetwork.inputShape(spec, 1).size();
        SplittableRandom random = new SplittableRandom(1);
        float[][] probes = new float[4][size];
        for (float[] p : probes) {
            for (int i = 0; i < size; i++) {
                p[i] = (float) random.nextDouble();
            }
        }
        float[][][] expected;
        try (Embedder embedder = new Embedder(spec)) {
            embedder.load(snapshot);
            expected = embedder.embed(probes);
        }
        float[][] combined = EmbeddingCombiner.combine(expected, weights);
        try (ExportedModel model = ExportedModel.load(out)) {
            ExportedModel.Embedding[] actual = model.embedInputs(probes);
            for (int i = 0; i < probes.length; i++) {
                boolean same = Arrays.equals(actual[i].combined(), combined[i]);
                for (int h = 0; h < expected.length; h++) {
                    same &= Arrays.equals(actual[i].heads()[h], expected[h][i]);
                }
                if (!same) {
                    throw new IllegalStateException("the artefact in " + out + " embeds probe " + i
                            + " differently from the parameters it was written from");
                }
            }
        }
    }

    private static double[] filled(int n) {
        double[] w = new double[n];
        Arrays.fill(w, 1.0);
        return w;
    }
}
