package io.divastream.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * The files of a dataset stored in an uncompressed {@code .tar} archive. The archive's headers are
 * read once (Commons Compress {@link TarFile}); each file is then read by a positioned read of its
 * data, so the archive is neither extracted nor held open.
 */
final class TarFiles extends DatasetFiles {

    private final Path archive;
    private final NavigableMap<String, TarEntryImageSource> files;
    private final Map<String, Set<String>> children;

    private TarFiles(Path archive, NavigableMap<String, TarEntryImageSource> files, Map<String, Set<String>> children) {
        this.archive = archive;
        this.files = files;
        this.children = children;
    }

    /**
     * Reads the headers of a tar archive.
     *
     * @param archive the archive
     * @return its files
     * @throws DatasetException if the archive is unreadable or holds a sparse entry
     */
    static TarFiles index(Path archive) {
        NavigableMap<String, TarEntryImageSource> files = new TreeMap<>();
        Map<String, Set<String>> children = new HashMap<>();
        children.put("", new TreeSet<>());
        try (TarFile tar = new TarFile(archive)) {
            for (TarArchiveEntry entry : tar.getEntries()) {
                String name = normalize(entry.getName());
                if (name.isEmpty()) {
                    continue;
                }
                if (entry.isDirectory()) {
                    addDirectory(children, name);
                } else if (entry.isFile()) {
                    if (entry.isSparse() || !entry.isStreamContiguous()) {
                        throw new DatasetException(
                                "sparse tar entry cannot be read by random access: " + archive + "!/" + name);
                    }
                    files.put(name, new TarEntryImageSource(archive, name, entry.getDataOffset(), entry.getSize()));
                    int slash = name.lastIndexOf('/');
                    if (slash > 0) {
                        addDirectory(children, name.substring(0, slash));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException de) {
                throw de;
            }
            throw new DatasetException("cannot read tar archive " + archive + ": " + e.getMessage(), e);
        }
        return new TarFiles(archive, files, children);
    }

    private static String normalize(String name) {
        String n = name.replace('\\', '/');
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n;
    }

    /** Records a directory and all its ancestors. */
    /** Links a directory and every ancestor not yet linked: archives need not hold entries for directories. */
    private static void addDirectory(Map<String, Set<String>> children, String directory) {
        String current = directory;
        while (!current.isEmpty()) {
            children.computeIfAbsent(current, k -> new TreeSet<>());
            int slash = current.lastIndexOf('/');
            String parent = slash < 0 ? "" : current.substring(0, slash);
            if (!children.computeIfAbsent(parent, k -> new TreeSet<>()).add(current.substring(slash + 1))) {
                return; // linked before, and so are its ancestors
            }
            current = parent;
        }
    }

    @Override
    String origin() {
        return archive.getFileName().toString();
    }

    @Override
    String location(String relative) {
        return archive + "!/" + relative;
    }

    @Override
    boolean isFile(String relative) {
        return files.containsKey(relative);
    }

    @Override
    boolean isDirectory(String relative) {
        return children.containsKey(relative);
    }

    @Override
    List<String> listFiles(String directory) {
        Iterable<String> names = directory.isEmpty()
                ? files.keySet()
                : files.subMap(directory + "/", true, directory + "/\uffff", true)
                        .keySet();
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (!isHidden(name)) {
                out.add(name);
            }
        }
        return out;
    }

    @Override
    List<String> listDirectories(String directory) {
        Set<String> names = children.get(directory);
        if (names == null) {
            return List.of();
        }
        return names.stream().filter(n -> !isHidden(n)).toList();
    }

    @Override
    ImageSource source(String relative) {
        TarEntryImageSource source = files.get(relative);
        if (source == null) {
            throw new DatasetException("no such file: " + location(relative));
        }
        return source;
    }
}
