package io.divastream.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Read access to the files of a dataset, stored as a directory tree or in an uncompressed {@code
 * .tar} archive. Paths are relative to the root, separated by {@code /}, without a leading slash;
 * {@code ""} is the root. Listings skip hidden entries (any path component starting with {@code .},
 * which includes macOS {@code ._*} resource forks) and {@code __MACOSX} folders, and are sorted.
 */
abstract sealed class DatasetFiles permits DirectoryFiles, TarFiles {

    /**
     * Opens a directory or a {@code .tar} archive.
     *
     * @param path the dataset root directory or archive
     * @return its files
     * @throws DatasetException if the path does not exist, is a compressed archive (which cannot be
     *     read by random access: extract or decompress it first) or is not a readable tar
     */
    static DatasetFiles open(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            return new DirectoryFiles(absolute);
        }
        if (!Files.exists(absolute)) {
            throw new DatasetException("dataset path does not exist: " + absolute);
        }
        String name = absolute.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".tar")) {
            return TarFiles.index(absolute);
        }
        if (name.endsWith(".tgz")
                || name.endsWith(".tar.gz")
                || name.endsWith(".tar.bz2")
                || name.endsWith(".tar.xz")) {
            throw new DatasetException(absolute
                    + " is a compressed archive, which cannot be read by random access:"
                    + " decompress it to a .tar (e.g. gunzip -k), which is read directly,"
                    + " or extract it and pass the folder");
        }
        throw new DatasetException("dataset path is neither a directory nor a .tar archive: " + absolute);
    }

    /**
     * The root's file name, used as the images' short origin.
     *
     * @return e.g. {@code CUB_200_2011_classes001-030.tar}
     */
    abstract String origin();

    /**
     * The full location of a path, for messages.
     *
     * @param relative the path
     * @return a file path, or the archive path, {@code !/} and the entry
     */
    abstract String location(String relative);

    /**
     * Whether a regular file exists at a path.
     *
     * @param relative the path
     * @return true for a file
     */
    abstract boolean isFile(String relative);

    /**
     * Whether a directory exists at a path ({@code ""} always does).
     *
     * @param relative the path
     * @return true for a directory
     */
    abstract boolean isDirectory(String relative);

    /**
     * All files below a directory, recursively, as paths from the root, sorted.
     *
     * @param directory the directory ({@code ""} for the root)
     * @return the file paths
     */
    abstract List<String> listFiles(String directory);

    /**
     * The names of the immediate sub-directories of a directory, sorted.
     *
     * @param directory the directory ({@code ""} for the root)
     * @return the names
     */
    abstract List<String> listDirectories(String directory);

    /**
     * The source of the file at a path.
     *
     * @param relative an existing file
     * @return its source
     */
    abstract ImageSource source(String relative);

    /**
     * Reads a whole file.
     *
     * @param relative the path
     * @param what what the file is, for the message (e.g. {@code the CUB image list})
     * @return its bytes
     * @throws DatasetException if the file is missing or unreadable
     */
    final byte[] readAll(String relative, String what) {
        requireFile(relative, what);
        try {
            return source(relative).read();
        } catch (IOException | UncheckedIOException e) {
            throw new DatasetException("cannot read " + what + " " + location(relative) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a text file (UTF-8, a leading byte-order mark dropped) as lines without terminators.
     *
     * @param relative the path
     * @param what what the file is, for the message
     * @return the lines
     * @throws DatasetException if the file is missing or unreadable
     */
    final List<String> readLines(String relative, String what) {
        String text = new String(readAll(relative, what), StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return Arrays.asList(text.split("\r?\n|\r", -1));
    }

    /**
     * Fails unless a file exists.
     *
     * @param relative the path
     * @param what what the file is, for the message
     * @throws DatasetException naming the missing file
     */
    final void requireFile(String relative, String what) {
        if (!isFile(relative)) {
            throw new DatasetException("missing " + what + ": " + location(relative));
        }
    }

    /**
     * Joins two relative paths.
     *
     * @param base a directory ({@code ""} for the root)
     * @param relative a path below it
     * @return the joined path
     */
    static String join(String base, String relative) {
        if (base.isEmpty()) {
            return relative;
        }
        if (relative.isEmpty()) {
            return base;
        }
        return base.endsWith("/") ? base + relative : base + "/" + relative;
    }

    /**
     * Whether any component of a path is hidden ({@code .*}, including {@code ._*}) or {@code
     * __MACOSX}.
     *
     * @param relative the path
     * @return true if listings skip it
     */
    static boolean isHidden(String relative) {
        for (String part : relative.split("/")) {
            if (part.startsWith(".") || part.equals("__MACOSX")) {
                return true;
            }
        }
        return false;
    }
}
