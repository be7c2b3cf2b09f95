package io.divastream.datasets;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * An image stored uncompressed in a {@code .tar} archive: its bytes are the {@code size} bytes at
 * {@code offset} of the archive file, read by a positioned read (no scan of the archive).
 *
 * @param archive the tar file
 * @param entry the entry name
 * @param offset where the entry's data starts in the archive
 * @param size the entry's size in bytes
 */
record TarEntryImageSource(Path archive, String entry, long offset, long size) implements ImageSource {

    TarEntryImageSource {
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(entry, "entry");
        if (offset < 0 || size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bad tar entry " + entry + ": offset " + offset + ", size " + size);
        }
    }

    @Override
    public byte[] read() throws IOException {
        byte[] bytes = new byte[(int) size];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try (FileChannel channel = FileChannel.open(archive, StandardOpenOption.READ)) {
            long position = offset;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new EOFException("archive ends inside entry " + location() + " at byte " + position);
                }
                position += n;
            }
        }
        return bytes;
    }

    @Override
    public String location() {
        return archive + "!/" + entry;
    }

    @Override
    public String origin() {
        return archive.getFileName().toString();
    }
}
