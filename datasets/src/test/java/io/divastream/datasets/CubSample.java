package io.divastream.datasets;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Assumptions;

/** Reads the first few JPEGs of the shared CUB-200 subset (sequentially, stopping early). */
public final class CubSample {

    /** The CUB subset of ../shared/data, from a module's directory. */
    public static final Path CUB =
            Path.of("..", "..", "shared", "data", "cub200-subset", "CUB_200_2011_classes001-030.tar");

    private CubSample() {}

    /**
     * Returns {@code count} JPEG files (bytes) from the archive's images folder, in archive order; skips
     * the calling test (JUnit assumption) if the archive is absent.
     *
     * @param count how many
     * @return the files' bytes
     * @throws IOException if the archive cannot be read
     */
    public static List<byte[]> firstJpegs(int count) throws IOException {
        Path tar = CUB;
        Assumptions.assumeTrue(Files.isRegularFile(tar), "shared CUB subset missing: " + tar.toAbsolutePath());
        List<byte[]> out = new ArrayList<>();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(tar));
                TarArchiveInputStream in = new TarArchiveInputStream(file)) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null && out.size() < count; e = in.getNextEntry()) {
                if (e.isFile()
                        && e.getName().contains("/images/")
                        && e.getName().endsWith(".jpg")) {
                    out.add(in.readAllBytes());
                }
            }
        }
        return out;
    }
}
