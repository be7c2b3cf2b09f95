package io.divastream.datasets;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The files of a dataset stored as a directory tree. */
final class DirectoryFiles extends DatasetFiles {

    private final Path root;

    DirectoryFiles(Path root) {
        this.root = root;
    }

    private Path resolve(String relative) {
        return relative.isEmpty() ? root : root.resolve(relative);
    }

    @Override
    String origin() {
        return root.getFileName() == null ? root.toString() : root.getFileName().toString();
    }

    @Override
    String location(String relative) {
        return resolve(relative).toString();
    }

    @Override
    boolean isFile(String relative) {
        return Files.isRegularFile(resolve(relative));
    }

    @Override
    boolean isDirectory(String relative) {
        return Files.isDirectory(resolve(relative));
    }

    @Override
    List<String> listFiles(String directory) {
        Path start = resolve(directory);
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(start, FileVisitOption.FOLLOW_LINKS)) {
            return paths.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !isHidden(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list " + start + ": " + e.getMessage(), e);
        }
    }

    @Override
    List<String> listDirectories(String directory) {
        Path start = resolve(directory);
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.list(start)) {
            return paths.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> !isHidden(name))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list " + start + ": " + e.getMessage(), e);
        }
    }

    @Override
    ImageSource source(String relative) {
        return ImageSource.ofFile(resolve(relative), origin());
    }
}
