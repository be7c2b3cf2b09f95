package io.divastream.model.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the key (momentum) encoder's BatchNorm running statistics do during training (DIVA_SPEC
 * sections 1.4 and 2.4, pitfall 8.2). The key encoder always normalises with its running statistics
 * (it runs in inference mode); this chooses whether those statistics ever change.
 */
public enum KeyBatchNormStatistics {

    /**
     * Never updated: the key encoder keeps the statistics it was built with (for a pretrained
     * backbone, ImageNet's), while the query network's unfrozen BatchNorm moves on; the original
     * code's behaviour (its key encoder stays in eval mode and its EMA copies parameters, not
     * buffers). The default.
     */
    INITIAL("initial"),
    /** Averaged like the parameters after every step: key = m * key + (1 - m) * query. */
    EMA("ema");

    private final String id;

    KeyBatchNormStatistics(String id) {
        this.id = id;
    }

    /**
     * Returns the identifier used in configuration.
     *
     * @return {@code initial} or {@code ema}
     */
    public String id() {
        return id;
    }

    /**
     * Parses an identifier, ignoring case and surrounding blanks.
     *
     * @param text {@code initial} or {@code ema}
     * @return the behaviour
     * @throws IllegalArgumentException naming the value and the valid ones if it is unknown
     */
    public static KeyBatchNormStatistics parse(String text) {
        if (text != null) {
            String key = text.trim().toLowerCase(Locale.ROOT);
            for (KeyBatchNormStatistics value : values()) {
                if (value.id.equals(key)) {
                    return value;
                }
            }
        }
        throw new IllegalArgumentException("unknown key BatchNorm statistics '" + text + "', expected one of "
                + Arrays.stream(values()).map(KeyBatchNormStatistics::id).collect(Collectors.joining(", ")));
    }
}
