package io.divastream.model.batch;

import io.divastream.model.image.ImageDecoder;
import io.divastream.model.image.ImageSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The Omniglot subset's zero-shot split (train on Korean, Japanese (katakana), Sanskrit and
 * Balinese; test on Greek, Latin, Early_Aramaic and Tagalog), decoded for the glyph network.
 *
 * @param train the training images
 * @param test the test images
 */
public record OmniglotSplit(LabeledImages train, LabeledImages test) {

    /** The alphabets held out for testing. */
    public static final Set<String> TEST_ALPHABETS = Set.of("Greek", "Latin", "Early_Aramaic", "Tagalog");

    /**
     * Reads and decodes both zips of the subset (Greek and Latin, present in both, once).
     *
     * @param folder the folder with the two zips
     * @param side the decoded image side
     * @return the split
     * @throws IOException if a zip is missing or unreadable
     */
    public static OmniglotSplit load(Path folder, int side) throws IOException {
        ImageDecoder decoder = new ImageDecoder(new ImageSpec(side, true));
        Map<String, float[]> pixels = new LinkedHashMap<>();
        for (String name : List.of("images_background_small1.zip", "images_background_small2.zip")) {
            Path zipPath = folder.resolve(name);
            if (!Files.isRegularFile(zipPath)) {
                throw new IOException("Omniglot zip not found: " + zipPath.toAbsolutePath());
            }
            try (ZipFile zip = new ZipFile(zipPath.toFile())) {
                for (ZipEntry entry : Collections.list(zip.entries())) {
                    String[] parts = entry.getName().split("/");
                    if (entry.getName().endsWith(".png") && parts.length == 4) {
                        String id = parts[1] + "/" + parts[2] + "/" + parts[3];
                        if (!pixels.containsKey(id)) {
                            pixels.put(id, decoder.decode(zip.getInputStream(entry).readAllBytes()));
                        }
                    }
                }
            }
        }
        List<String> trainIds = new ArrayList<>();
        List<String> trainLabels = new ArrayList<>();
        List<float[]> trainImages = new ArrayList<>();
        List<String> testIds = new ArrayList<>();
        List<String> testLabels = new ArrayList<>();
        List<float[]> testImages = new ArrayList<>();
        for (Map.Entry<String, float[]> image : pixels.entrySet()) {
            String id = image.getKey();
            String label = id.substring(0, id.lastIndexOf('/'));
            boolean test = TEST_ALPHABETS.contains(id.substring(0, id.indexOf('/')));
            (test ? testIds : trainIds).add(id);
            (test ? testLabels : trainLabels).add(label);
            (test ? testImages : trainImages).add(image.getValue());
        }
        return new OmniglotSplit(
                new LabeledImages(trainIds, trainLabels, trainImages),
                new LabeledImages(testIds, testLabels, testImages));
    }
}
