package io.divastream.jobs.metrics;

/** How the held-out (evaluation) images are scored; see docs/evaluation.md, "Streaming protocol". */
public enum EvaluationMode {
    /** Every image is a query against all other images (the query is excluded). */
    LEAVE_ONE_OUT("leave-one-out"),
    /** A fixed share of the images are queries, ranked against the others (the gallery). */
    QUERY_GALLERY("query-gallery");

    private final String id;

    EvaluationMode(String id) {
        this.id = id;
    }

    /**
     * Returns the name used in options and in the metrics record.
     *
     * @return {@code leave-one-out} or {@code query-gallery}
     */
    public String id() {
        return id;
    }

    /**
     * Parses a mode name.
     *
     * @param text {@code leave-one-out} or {@code query-gallery}
     * @return the mode
     * @throws IllegalArgumentException naming the value if it is neither
     */
    public static EvaluationMode parse(String text) {
        for (EvaluationMode m : values()) {
            if (m.id.equals(text.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "evaluation mode must be leave-one-out or query-gallery, got '" + text + "'");
    }
}
