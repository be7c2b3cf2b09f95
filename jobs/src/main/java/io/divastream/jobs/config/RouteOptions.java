package io.divastream.jobs.config;

import java.time.Duration;
import java.util.List;

/** Which images are held out, and for how long an image id keeps its label: {@code route.*}. */
public final class RouteOptions {

    /** Labels of the Omniglot alphabets held out for evaluation (the zero-shot split). */
    public static final String OMNIGLOT_EVAL_LABELS = "^(Greek|Latin|Early_Aramaic|Tagalog)/";

    public static final DivaOption<String> EVAL_LABELS = DivaOption.of(
            "route.eval-labels",
            OptionType.regex(),
            OMNIGLOT_EVAL_LABELS,
            "regex: matching labels are held out for evaluation");
    public static final DivaOption<Duration> LABEL_TTL = DivaOption.of(
            "route.label-ttl",
            OptionType.duration(),
            "0",
            "how long the first label of an image id is remembered; meanwhile an event of the id with another label"
                    + " goes to the dead-letter topic (LABEL_CHANGED), so trained pixels never enter the held-out set"
                    + " (e.g. 30d; 0: for ever)");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL = List.of(EVAL_LABELS, LABEL_TTL);

    private RouteOptions() {}
}
