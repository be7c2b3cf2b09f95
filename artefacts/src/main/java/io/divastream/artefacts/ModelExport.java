package io.divastream.artefacts;

import io.divastream.images.ImageSpec;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Writes a model version as a self-contained artefact directory that {@link ExportedModel#load} reads
 * without Flink or Kafka:
 *
 * <ul>
 *   <li>{@value #PARAMETERS}: the query network's parameters exactly as {@link ModelSnapshot#parameters()}
 *       holds them ({@link io.divastream.model.net.ParameterIo} format, BatchNorm statistics included);
 *   <li>{@value #MANIFEST}: the {@link ModelManifest} (architecture, preprocessing, head weights, version,
 *       step, SHA-256 of the parameters);
 *   <li>for a TorchScript backbone only, its module file ({@value #TORCHSCRIPT}), which the parameters do
 *       not replace; for heads trained on a frozen backbone's features ({@link BackboneSpec.Features}), the
 *       frozen backbone's module under the same name, which the parameters do not include.
 * </ul>
 *
 * <p>The files are written into a temporary sibling directory that is then renamed, so a reader never
 * sees half an artefact. Stateless.
 */
public final class ModelExport {

    /** The parameters file in an artefact. */
    public static final String PARAMETERS = "parameters.bin";
    /** The manifest file in an artefact. */
    public static final String MANIFEST = "manifest.json";
    /** The TorchScript backbone module in an artefact (TorchScript backbones only). */
    public static final String TORCHSCRIPT = "backbone.torchscript.pt";

    private ModelExport() {}

    /**
     * Writes an artefact.
     *
     * @param dir the artefact directory to create; must not exist or be empty
     * @param spec the network the snapshot belongs to
     * @param glyphSpec the decoder spec of glyph networks (size = the network's input size); ignored for
     *     photo backbones, which take their input spec from the backbone; may be null for them
     * @param headWeights per head (network order), its weight in the combined embedding
     * @param snapshot the model version's parameters
     * @return the manifest written
     * @throws IOException if writing fails or {@code dir} is a non-empty directory or a file
     * @throws IllegalArgumentException if the specs do not fit together
     */
    public static ModelManifest write(
            Path dir, NetworkSpec spec, ImageSpec glyphSpec, double[] headWeights, ModelSnapshot snapshot)
            throws IOException {
        return write(dir, spec, glyphSpec, null, headWeights, snapshot);
    }

    /**
     * Writes an artefact, for any network: as {@link #write(Path, NetworkSpec, ImageSpec, double[],
     * ModelSnapshot)}, and for heads trained on a frozen backbone's features, with that backbone's module.
     *
     * @param dir the artefact directory to create; must not exist or be empty
     * @param spec the network the snapshot belongs to
     * @param glyphSpec the decoder spec of glyph networks; may be null for photo backbones
     * @param frozen the frozen backbone a {@link BackboneSpec.Features} network's heads take their input from (its
     *     width and input must be the spec's); null for any other network
     * @param headWeights per head (network order), its weight in the combined embedding
     * @param snapshot the model version's parameters
     * @return the manifest written
     * @throws IOException if writing fails or {@code dir} is a non-empty directory or a file
     * @throws IllegalArgumentException if the specs do not fit together
     */
    public static ModelManifest write(
            Path dir,
            NetworkSpec spec,
            ImageSpec glyphSpec,
            FrozenBackbone frozen,
            double[] headWeights,
            ModelSnapshot snapshot)
            throws IOException {
        Objects.requireNonNull(dir, "dir");
        Path module = moduleFile(spec, frozen);
        ModelManifest manifest = manifest(spec, glyphSpec, frozen, headWeights, snapshot);
        byte[] manifestBytes = bytes(manifest);

        Path target = dir.toAbsolutePath();
        if (Files.exists(target)) {
            if (!Files.isDirectory(target)) {
                throw new IOException(target + " exists and is not a directory");
            }
            try (Stream<Path> entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(target + " is not empty; export into a new directory");
                }
            }
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
        try {
            Files.write(staging.resolve(PARAMETERS), snapshot.parameters());
            if (module != null) {
                Files.copy(module, staging.resolve(TORCHSCRIPT));
            }
            Files.write(staging.resolve(MANIFEST), manifestBytes);
            Files.deleteIfExists(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try (Stream<Path> files = Files.walk(staging)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
            throw e;
        }
        return manifest;
    }

    /**
     * The exact bytes of the {@value #MANIFEST} that {@link #write} writes for a model version: the one
     * function both the artefact writer and the job's {@code diva.model-versions} record (its
     * {@code manifestSha256}) use, so that a reader can check a manifest against the committed record.
     *
     * @param spec the network the snapshot belongs to
     * @param glyphSpec the decoder spec of glyph networks, as for {@link #write}
     * @param headWeights per head (network order), its weight in the combined embedding
     * @param snapshot the model version's parameters
     * @return the manifest file's bytes (UTF-8 JSON and a line feed)
     * @throws IllegalArgumentException if the specs do not fit together
     */
    public static byte[] manifestBytes(
            NetworkSpec spec, ImageSpec glyphSpec, double[] headWeights, ModelSnapshot snapshot) {
        return manifestBytes(spec, glyphSpec, null, headWeights, snapshot);
    }

    /**
     * The exact bytes of the {@value #MANIFEST} that {@link #write(Path, NetworkSpec, ImageSpec, FrozenBackbone,
     * double[], ModelSnapshot)} writes, for any network.
     *
     * @param spec the network the snapshot belongs to
     * @param glyphSpec the decoder spec of glyph networks
     * @param frozen the frozen backbone of heads trained on its features, else null
     * @param headWeights per head (network order), its weight in the combined embedding
     * @param snapshot the model version's parameters
     * @return the manifest file's bytes (UTF-8 JSON and a line feed)
     * @throws IllegalArgumentException if the specs do not fit together
     */
    public static byte[] manifestBytes(
            NetworkSpec spec,
            ImageSpec glyphSpec,
            FrozenBackbone frozen,
            double[] headWeights,
            ModelSnapshot snapshot) {
        moduleFile(spec, frozen);
        return bytes(manifest(spec, glyphSpec, frozen, headWeights, snapshot));
    }

    /** The module file an artefact of the network carries, or null. */
    private static Path moduleFile(NetworkSpec spec, FrozenBackbone frozen) {
        if (spec.backbone() instanceof BackboneSpec.Features features) {
            if (frozen == null) {
                throw new IllegalArgumentException("heads on the features of " + features.source()
                        + " need the frozen backbone's module to be exported with them");
            }
            BackboneSpec.TorchScript frozenModule = frozen.module();
            if (frozenModule.featureDim() != features.featureDim()
                    || !frozenModule.input().equals(features.input())) {
                throw new IllegalArgumentException("the frozen module " + frozenModule.id() + " gives "
                        + frozenModule.featureDim() + "-d features of " + frozenModule.input() + ", the heads take "
                        + features.featureDim() + "-d features of " + features.input());
            }
            return Path.of(frozenModule.path());
        }
        if (frozen != null) {
            throw new IllegalArgumentException("a frozen module is only exported with heads trained on its features");
        }
        return spec.backbone() instanceof BackboneSpec.TorchScript t ? Path.of(t.path()) : null;
    }

    private static byte[] bytes(ModelManifest manifest) {
        return (manifest.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static ModelManifest manifest(
            NetworkSpec spec,
            ImageSpec glyphSpec,
            FrozenBackbone frozen,
            double[] headWeights,
            ModelSnapshot snapshot) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(headWeights, "headWeights");
        Objects.requireNonNull(snapshot, "snapshot");
        if (headWeights.length != spec.heads().size()) {
            throw new IllegalArgumentException(
                    headWeights.length + " head weights for the " + spec.heads().size() + " heads " + spec.heads());
        }
        ModelManifest.Preprocessing preprocessing;
        if (spec.backbone() instanceof BackboneSpec.GlyphCnn) {
            Objects.requireNonNull(glyphSpec, "a glyph network needs its ImageSpec");
            if (glyphSpec.size() != spec.inputSize()) {
                throw new IllegalArgumentException("the ImageSpec size " + glyphSpec.size()
                        + " is not the network's input size " + spec.inputSize());
            }
            preprocessing = ModelManifest.Preprocessing.glyph(glyphSpec);
        } else {
            preprocessing = ModelManifest.Preprocessing.photo(spec.backbone().input());
        }
        boolean module =
                spec.backbone() instanceof BackboneSpec.TorchScript || spec.backbone() instanceof BackboneSpec.Features;
        return new ModelManifest(
                ModelManifest.FORMAT,
                snapshot.version(),
                snapshot.step(),
                snapshot.parameterCount(),
                snapshot.parameters().length,
                snapshot.sha256(),
                ModelManifest.network(spec, module ? TORCHSCRIPT : null, frozen == null ? null : frozen.precision()),
                preprocessing,
                headWeights.clone());
    }
}
