package io.divastream.demo;

import io.divastream.datasets.CarsReader;
import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.CubReader;
import io.divastream.datasets.Dataset;
import io.divastream.datasets.DatasetException;
import io.divastream.jobs.config.BatchOptions;
import io.divastream.jobs.config.ConfigException;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.ModelOptions;
import io.divastream.jobs.config.ModelPreset;
import io.divastream.jobs.config.RouteOptions;
import io.divastream.jobs.config.TrainOptions;
import io.divastream.producer.DatasetSelection;
import io.divastream.producer.LabeledImage;
import io.divastream.producer.LabeledSource;
import io.divastream.producer.OmniglotDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the demo streams ({@code demo.dataset}): the shipped Omniglot glyphs, or catalogue photos (the CUB or
 * Stanford Cars subsets of {@code ../shared/data}) through the frozen ImageNet MobileNetV2 of {@code
 * ../shared/weights}, with their classes split into streamed training classes and held-out evaluation classes.
 */
public enum DemoDataset {
    /** The Omniglot subset shipped in the producer's jar; the held-out alphabets are the job's default route. */
    OMNIGLOT("omniglot", "", null, null),
    /** CUB-200-2011 classes 1-20 streamed for training, 21-30 held out. */
    CUB(
            "cub",
            "../shared/data/cub200-subset/CUB_200_2011_classes001-030.tar",
            ClassSplit.ranges(1, 20, 21, 30),
            CubReader::read),
    /** Stanford Cars classes 1-78 streamed for training, 79-98 held out. */
    CARS("cars", "../shared/data/cars196-subset", ClassSplit.ranges(1, 78, 79, 98), CarsReader::read);

    /** Label prefix of the held-out photos (the demo routes {@code ^test/} to evaluation). */
    private static final String HELD_OUT_PREFIX = "test/";

    /** The frozen backbone of the photo datasets, relative to the working directory. */
    public static final String MOBILENETV2_FILE = "../shared/weights/mobilenet_v2_imagenet_features.torchscript.pt";

    private final String id;
    private final String defaultData;
    private final ClassSplit split;
    private final Function<Path, Dataset> reader;

    DemoDataset(String id, String defaultData, ClassSplit split, Function<Path, Dataset> reader) {
        this.id = id;
        this.defaultData = defaultData;
        this.split = split;
        this.reader = reader;
    }

    /**
     * Returns the name in {@code demo.dataset}.
     *
     * @return the name
     */
    public String id() {
        return id;
    }

    /**
     * Whether the dataset is photos through the frozen backbone.
     *
     * @return true for CUB and Cars
     */
    public boolean photos() {
        return reader != null;
    }

    /**
     * Parses a name.
     *
     * @param text e.g. {@code cub}
     * @return the dataset
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DemoDataset parse(String text) {
        for (DemoDataset d : values()) {
            if (d.id.equals(text.strip().toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new IllegalArgumentException("must be omniglot, cub or cars: " + text);
    }

    /**
     * The job options this dataset sets unless given: for photos the frozen MobileNetV2 preset, the route of the
     * held-out classes and the batch and queue sizes of the offline frozen-feature recipe
     * (docs/cub-subset-mobilenetv2.md: about 56 images a batch, a DaNCE queue of 10 batches, no learning-rate
     * decay), and the demo's run length.
     *
     * @return per option, its value as a user writes it
     */
    public Map<DivaOption<?>, String> defaults() {
        Map<DivaOption<?>, String> values = new LinkedHashMap<>();
        if (!photos()) {
            return values;
        }
        values.put(ModelOptions.PRESET, ModelPreset.PHOTO_MOBILENETV2.id());
        values.put(ModelOptions.BACKBONE_FILE, MOBILENETV2_FILE);
        values.put(RouteOptions.EVAL_LABELS, "^" + HELD_OUT_PREFIX);
        values.put(BatchOptions.CLASSES, "14");
        values.put(BatchOptions.IMAGES_PER_CLASS, "4");
        values.put(BatchOptions.BUFFER_PER_CLASS, "64");
        values.put(TrainOptions.QUEUE_SIZE, "560");
        values.put(TrainOptions.LR_DECAY_STEPS, "");
        values.put(BatchOptions.REPLAY_INTERVAL_MS, "100");
        values.put(TrainOptions.FEATURE_VIEWS, "4");
        values.put(TrainOptions.STEPS_PER_VERSION, "250");
        values.put(DemoOptions.MAX_STEPS, "2000");
        return values;
    }

    /**
     * Reads the images to publish: every image of both class ranges, the held-out ones labelled {@code
     * test/<class>} and the others {@code train/<class>}.
     *
     * @param dataDir the data directory or archive given ({@code demo.data-dir}), empty for the default
     * @param classes the class split given ({@code demo.classes}, e.g. {@code 1-15:16-20}), empty for the default
     * @return the images, in dataset order
     * @throws DatasetException if the data cannot be read, naming where it was looked for
     * @throws ConfigException if the split is malformed or given for Omniglot
     */
    public List<LabeledImage> load(String dataDir, String classes) {
        if (!photos() && !classes.isEmpty()) {
            throw new ConfigException("option --demo.classes is for the photo datasets; Omniglot holds out alphabets");
        }
        if (!photos()) {
            return OmniglotDataset.load(dataDir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dataDir)));
        }
        Path data = Path.of(dataDir.isEmpty() ? defaultData : dataDir);
        if (!Files.exists(data)) {
            throw new DatasetException("--demo.dataset " + id + ": no data at "
                    + data.toAbsolutePath().normalize()
                    + " (give it with --demo.data-dir; ../shared/data/README.md says which subsets are there)");
        }
        Dataset dataset = reader.apply(data);
        return new DatasetSelection(split(classes), DatasetSelection.Role.ALL, true)
                .select(dataset).stream().map(LabeledSource::read).toList();
    }

    /**
     * The class split, as the demo's log states it.
     *
     * @param classes the class split given ({@code demo.classes}), empty for the default
     * @return e.g. {@code classes 1-20 train, 21-30 test}
     */
    public String splitDescription(String classes) {
        return split == null
                ? "the background alphabets : the held-out alphabets"
                : split(classes).description();
    }

    private ClassSplit split(String classes) {
        try {
            return classes.isEmpty() ? split : ClassSplit.parse(classes);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("option --demo.classes: " + e.getMessage());
        }
    }
}
