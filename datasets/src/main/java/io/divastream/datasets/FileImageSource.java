package io.divastream.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An image stored as a file.
 *
 * @param file the image file
 * @param origin the short origin
 */
record FileImageSource(Path file, String origin) implements ImageSource {

    FileImageSource {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(origin, "origin");
    }

    @Override
    public byte[] read() throws IOException {
        return Files.readAllBytes(file);
    }

    @Override
    public long size() throws IOException {
        return Files.size(file);
    }

    @Override
    public String location() {
        return file.toString();
    }
}
