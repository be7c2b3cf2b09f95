package io.divastream.search.http;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.artefacts.ModelExport;
import io.divastream.artefacts.ModelManifest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a model version's artefact in a {@link ModelDirectory}'s directory: by the name the job gives
 * it first ({@link ArtefactStore#name}), then by reading the manifests of every artefact. Artefacts
 * of the version with other parameters, and unreadable manifests, are skipped and reported once
 * each to the refusal log. Also the fingerprint by which a refused artefact is recognised, and the
 * path-free form of messages about an artefact.
 */
final class ArtefactFinder {

    private final Path root;
    private final RefusalLog warnings;

    /**
     * Creates a finder.
     *
     * @param root the directory of artefacts, absolute
     * @param warnings where skipped artefacts are reported
     */
    ArtefactFinder(Path root, RefusalLog warnings) {
        this.root = root;
        this.warnings = warnings;
    }

    /**
     * The artefact of a version (and SHA-256, if given): by its job-given name first, then by manifests
     * in name order, skipping directories whose names start with a dot.
     *
     * @param version the model version
     * @param sha the parameters' SHA-256, or null for any
     * @return the artefact's directory, or empty
     * @throws UncheckedIOException if the directory cannot be listed
     */
    Optional<Path> find(long version, String sha) {
        if (sha != null) {
            Optional<Path> named = new ArtefactStore(root).find(version, sha);
            if (named.isPresent()) {
                return named;
            }
        }
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        List<Path> dirs;
        try (Stream<Path> entries = Files.list(root)) {
            dirs = entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isRegularFile(p.resolve(ModelExport.MANIFEST)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        for (Path d : dirs) {
            Path manifestFile = d.resolve(ModelExport.MANIFEST);
            try {
                ModelManifest m = ModelManifest.fromJson(
                        Files.readString(manifestFile, StandardCharsets.UTF_8), manifestFile.toString());
                if (m.modelVersion() != version) {
                    continue;
                }
                if (sha == null || sha.equals(m.parameterSha256())) {
                    return Optional.of(d);
                }
                warnings.refuse(
                        "other " + d + " " + sha,
                        "refusing the artefact " + d + ": its parameters' SHA-256 " + m.parameterSha256()
                                + " is not the committed " + sha + " of model version " + version);
            } catch (IOException | RuntimeException e) {
                warnings.refuse("unreadable " + d + " " + fingerprint(d), "ignoring " + d + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * The sizes and modification times of an artefact's files: a refused artefact is tried again if
     * they change.
     *
     * @param dir the artefact
     * @return the fingerprint
     */
    static String fingerprint(Path dir) {
        StringBuilder b = new StringBuilder();
        for (String file : List.of(ModelExport.MANIFEST, ModelExport.PARAMETERS)) {
            try {
                BasicFileAttributes a = Files.readAttributes(dir.resolve(file), BasicFileAttributes.class);
                b.append(a.size()).append('@').append(a.lastModifiedTime().toMillis());
            } catch (IOException e) {
                b.append('-');
            }
            b.append(';');
        }
        return b.toString();
    }

    /**
     * A message of the model code without the artefact's and the directory's paths (answers name no
     * files): paths inside the artefact become relative, the artefact its name, the root "the models
     * directory".
     *
     * @param message the message (may be null)
     * @param dir the artefact
     * @return the message without paths
     */
    String withoutPaths(String message, Path dir) {
        return String.valueOf(message)
                .replace(dir + File.separator, "")
                .replace(dir.toString(), dir.getFileName().toString())
                .replace(root.toString(), "the models directory");
    }
}
