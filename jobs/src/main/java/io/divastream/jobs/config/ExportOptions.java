package io.divastream.jobs.config;

import java.util.List;

/** Model artefacts for the search service: {@code export.*}. */
public final class ExportOptions {

    public static final DivaOption<String> DIR = DivaOption.of(
            "export.dir",
            OptionType.text().checked(Validation::exportDirectory),
            "",
            "write every published model version as an artefact (parameters.bin + manifest.json) to"
                    + " <dir>/v<version>-<first 12 hex of its SHA-256>/, for the search service; an absolute path on"
                    + " storage shared by all task managers and the readers (empty: off)");
    public static final DivaOption<Integer> KEEP = DivaOption.of(
            "export.keep",
            OptionType.integer(1, 1_000_000),
            "5",
            "artefact directories kept in export.dir; older ones are deleted (never the one just written)");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL = List.of(DIR, KEEP);

    private ExportOptions() {}
}
