package io.divastream.model.net.backbone;

import ai.djl.Application;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.RemoteRepository;
import ai.djl.repository.Repository;
import ai.djl.util.Utils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Finds DJL's PyTorch model-zoo ResNet-50 ({@code ai.djl.pytorch/resnet}, version 0.0.1, artifact
 * {@code traced_resnet50}) in DJL's cache, downloading it first when DJL is online. Only DJL's api
 * module is used (no model-zoo artifact on the classpath). Package-private.
 */
final class ZooResNet50 {

    static final String REPOSITORY = "https://mlrepo.djl.ai/";
    static final String GROUP = "ai.djl.pytorch";
    static final String ARTIFACT = "resnet";
    static final String VERSION = "0.0.1";
    static final String NAME = "traced_resnet50";
    /** Longest a download may take before it is abandoned. */
    static final long DOWNLOAD_TIMEOUT_MINUTES = 20;

    private ZooResNet50() {}

    /**
     * Returns the cached TorchScript file, downloading it if DJL is online.
     *
     * @return the file
     * @throws IllegalStateException if DJL is offline and the cache does not have it, or the download
     *     fails or times out
     */
    static Path locate() {
        Repository repo = new RemoteRepository("djl-pytorch-zoo", URI.create(REPOSITORY));
        MRL mrl = MRL.model(repo, Application.CV.IMAGE_CLASSIFICATION, GROUP, ARTIFACT, VERSION, NAME);
        boolean offline = Utils.isOfflineMode();
        try {
            Path metadata =
                    repo.getCacheDirectory().resolve(mrl.toURI().getPath()).resolve("metadata.json");
            if (offline && !Files.isRegularFile(metadata)) {
                throw offline(repo);
            }
            if (offline) {
                Artifact artifact = mrl.getDefaultArtifact();
                if (artifact == null || !mrl.isPrepared(artifact)) {
                    throw offline(repo);
                }
                return modelFile(repo, artifact);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read DJL's cache for " + GROUP + "/" + ARTIFACT + ": " + e.getMessage(), e);
        }
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "djl-zoo-resnet50-download");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<Path> download = worker.submit(() -> {
                Artifact artifact = mrl.getDefaultArtifact();
                if (artifact == null) {
                    throw new IOException("the repository lists no " + NAME + " " + VERSION);
                }
                mrl.prepare(artifact);
                return modelFile(repo, artifact);
            });
            return download.get(DOWNLOAD_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "downloading DJL's model-zoo ResNet-50 from " + REPOSITORY + " took more than "
                            + DOWNLOAD_TIMEOUT_MINUTES + " minutes; check the network",
                    e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot download DJL's model-zoo ResNet-50 from " + REPOSITORY + " (needs network): "
                            + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while downloading DJL's model-zoo ResNet-50", e);
        } finally {
            worker.shutdownNow();
        }
    }

    private static IllegalStateException offline(Repository repo) throws IOException {
        return new IllegalStateException(
                "ModelZooResNet50 needs network: DJL is offline (DJL_OFFLINE or "
                        + "-Dai.djl.offline) and its cache " + repo.getCacheDirectory() + " has no " + GROUP + "/"
                        + ARTIFACT + "/" + VERSION + "/" + NAME + ". Run once online with DJL_OFFLINE=false (the "
                        + "environment variable overrides the project's ai.djl.offline=true) to download it, or set "
                        + "DJL_CACHE_DIR to a cache that has it, or use ResNet(50, true, <torchvision ResNet-50 TorchScript file>)");
    }

    private static Path modelFile(Repository repo, Artifact artifact) throws IOException {
        Path dir = repo.getResourceDirectory(artifact);
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> pt = files.filter(p -> p.getFileName().toString().endsWith(".pt"))
                    .toList();
            if (pt.size() != 1) {
                throw new IOException("expected one .pt file in " + dir + ", found " + pt);
            }
            return pt.get(0);
        }
    }
}
