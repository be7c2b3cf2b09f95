package io.divastream.datasets;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The dataset layouts {@link Datasets#open} reads. */
public enum DatasetFormat {
    /** CUB-200-2011: {@code CUB_200_2011/} txt files, or the DiVA layout {@code images/NNN.Name/}. */
    CUB("cub"),
    /**
     * CARS196: {@code cars_annos.mat} and {@code car_ims/}, the devkit's {@code cars_train/}, {@code
     * cars_test/} and {@code devkit/*.mat}, or the DiVA {@code images/<class>/}.
     */
    CARS("cars"),
    /** Stanford Online Products: {@code Ebay_{train,test}.txt} and {@code <category>_final/}. */
    SOP("sop"),
    /** In-Shop Clothes Retrieval: {@code Eval/list_eval_partition.txt} and {@code Img/img/}. */
    INSHOP("inshop"),
    /** Omniglot: {@code images_background} / {@code images_evaluation}, as folders or zips. */
    OMNIGLOT("omniglot"),
    /** Any image folder: one sub-folder per class. */
    FOLDER("folder");

    private final String id;

    DatasetFormat(String id) {
        this.id = id;
    }

    /**
     * The format's short name, also the prefix of its image ids.
     *
     * @return e.g. {@code cub}
     */
    public String id() {
        return id;
    }

    /**
     * Parses a short name, ignoring case.
     *
     * @param name e.g. {@code cub} or {@code INSHOP}
     * @return the format
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static DatasetFormat parse(String name) {
        for (DatasetFormat format : values()) {
            if (format.id.equalsIgnoreCase(name.trim())) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown dataset format '" + name + "'; expected one of " + names());
    }

    /**
     * The short names, separated by {@code |}.
     *
     * @return e.g. {@code cub|cars|sop|inshop|omniglot|folder}
     */
    public static String names() {
        return Arrays.stream(values()).map(DatasetFormat::id).collect(Collectors.joining("|"));
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
