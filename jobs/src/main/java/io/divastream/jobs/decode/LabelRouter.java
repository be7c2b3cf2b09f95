package io.divastream.jobs.decode;

import io.divastream.jobs.events.Role;
import java.io.Serializable;
import java.util.regex.Pattern;

/**
 * Routes a class label to training or evaluation by a configured regular expression: labels in
 * which it is found are held out for evaluation, all others are trained on.
 */
public final class LabelRouter implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String evalLabelRegex;
    private transient Pattern pattern;

    /**
     * Creates a router.
     *
     * @param evalLabelRegex the expression selecting evaluation labels
     */
    public LabelRouter(String evalLabelRegex) {
        this.evalLabelRegex = evalLabelRegex;
        this.pattern = Pattern.compile(evalLabelRegex);
    }

    /**
     * Routes a label.
     *
     * @param label the class label
     * @return {@link Role#EVAL} if the expression is found in it, else {@link Role#TRAIN}
     */
    public Role route(String label) {
        if (pattern == null) {
            pattern = Pattern.compile(evalLabelRegex);
        }
        return pattern.matcher(label).find() ? Role.EVAL : Role.TRAIN;
    }
}
