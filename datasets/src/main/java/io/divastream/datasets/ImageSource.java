package io.divastream.datasets;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the encoded bytes of one image come from, and how to read them. Sources are immutable and
 * open their file on each {@link #read()}, so a {@link Dataset} holds no open file and can be read
 * from several threads.
 */
public interface ImageSource {

    /**
     * Reads the encoded image file (JPEG, PNG, ...), byte for byte.
     *
     * @return a new array with the file's bytes
     * @throws IOException if the file cannot be read
     */
    byte[] read() throws IOException;

    /**
     * The size of the encoded file, known without reading it.
     *
     * @return the number of bytes {@link #read()} returns
     * @throws IOException if the file cannot be examined
     */
    long size() throws IOException;

    /**
     * Describes where the bytes are, for error messages: a file path, or an archive path followed
     * by {@code !/} and the entry name.
     *
     * @return the full location
     */
    String location();

    /**
     * Names the file or archive the image was read from, without its directory, e.g. {@code
     * images_background_small1.zip}, {@code CUB_200_2011_classes001-030.tar} or the dataset root
     * folder's name.
     *
     * @return the short origin
     */
    String origin();

    /**
     * A source reading a file.
     *
     * @param file the image file
     * @param origin the short origin, e.g. the dataset root folder's name
     * @return the source
     */
    static ImageSource ofFile(Path file, String origin) {
        return new FileImageSource(file, origin);
    }

    /**
     * A source over bytes already in memory (e.g. a small zip entry).
     *
     * @param bytes the encoded image; not copied, treat as read-only
     * @param location the full location, for messages
     * @param origin the short origin
     * @return the source
     */
    static ImageSource ofBytes(byte[] bytes, String location, String origin) {
        return new BytesImageSource(bytes, location, origin);
    }
}
