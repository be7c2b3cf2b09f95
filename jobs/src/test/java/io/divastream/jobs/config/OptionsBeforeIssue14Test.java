package io.divastream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The job's options when they moved to typed declarations keep their names and defaults: the {@code --help}
 * of the hand-written parser before the move is kept as a resource and compared with the declarations.
 */
class OptionsBeforeIssue14Test {

    /** {@code  --key  description [default]} or {@code ... (required)}. */
    private static final Pattern LINE = Pattern.compile("  --(\\S+)\\s+.*?(?: \\(required\\)| \\[(.*)])");

    /**
     * Reads the options and defaults of an old usage text.
     *
     * @param resource the text
     * @return per key, its default (null when required)
     * @throws IOException if the resource cannot be read
     */
    static Map<String, String> oldDefaults(InputStream resource) throws IOException {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String line : new String(resource.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches() && !m.group(1).equals("config")) {
                defaults.put(m.group(1), m.group(2));
            }
        }
        return defaults;
    }

    @Test
    void everyOptionKeepsItsNameAndDefault() throws IOException {
        Map<String, String> before;
        try (InputStream in = getClass().getResourceAsStream("job-help-before-issue-14.txt")) {
            before = oldDefaults(in);
        }
        assertThat(before).hasSize(82);
        Map<String, String> now = new LinkedHashMap<>();
        for (DivaOption<?> option : JobOptions.ALL.options()) {
            now.put(option.key(), option.defaultText());
        }
        // options added since, for the photo path (docs/photos.md)
        assertThat(now)
                .containsEntry("model.backbone-file", "")
                .containsEntry("train.feature-views", "8")
                .containsEntry("state.feature-precision", "half")
                .containsEntry("source.training-reader-niceness", "5");
        now.keySet()
                .removeAll(java.util.Set.of(
                        "model.backbone-file",
                        "model.backbone-feature-dim",
                        "model.backbone-input-size",
                        "model.backbone-resize",
                        "model.backbone-mean",
                        "model.backbone-std",
                        "train.feature-views",
                        "source.training-reader-niceness",
                        "batch.replay-memory",
                        "batch.replay-share",
                        "metrics.class-group-size",
                        "metrics.tracked-classes",
                        "promotion.tolerance",
                        "promotion.min-eval-images",
                        "topic.promotions",
                        "topic.promotion-commands",
                        "serde.format",
                        "serde.registry-url",
                        "train.mode",
                        "state.feature-precision"));
        assertThat(now).containsExactlyInAnyOrderEntriesOf(before);
        String usage = JobOptions.ALL.usage("diva-stream");
        for (String key : before.keySet()) {
            assertThat(usage).contains("--" + key + "=");
        }
    }
}
