package io.divastream.jobs.config;

import io.divastream.connectors.events.EventLimits;
import io.divastream.images.ImageLimits;
import java.util.List;

/** The largest input the job accepts before an event becomes a dead letter: {@code limits.*}. */
public final class LimitsOptions {

    public static final DivaOption<Integer> IMAGE_ID_CHARS = DivaOption.of(
            "limits.image-id-chars",
            OptionType.integer(1, 1_000_000),
            String.valueOf(EventLimits.DEFAULT_IMAGE_ID_CHARS),
            "longest image id in characters; a longer one goes to the dead-letter topic (IMAGE_ID_TOO_LONG)");
    public static final DivaOption<Integer> LABEL_CHARS = DivaOption.of(
            "limits.label-chars",
            OptionType.integer(1, 1_000_000),
            String.valueOf(EventLimits.DEFAULT_LABEL_CHARS),
            "longest label in characters; a longer one goes to the dead-letter topic (LABEL_TOO_LONG)");
    public static final DivaOption<Long> IMAGE_BYTES = DivaOption.of(
            "limits.image-bytes",
            OptionType.longInteger(1, Integer.MAX_VALUE),
            String.valueOf(ImageLimits.DEFAULT_ENCODED_BYTES),
            "largest encoded image in bytes; a larger one goes to the dead-letter topic (INVALID_IMAGE)");
    public static final DivaOption<Long> IMAGE_PIXELS = DivaOption.of(
            "limits.image-pixels",
            OptionType.longInteger(64, 1L << 40),
            String.valueOf(ImageLimits.DEFAULT_PIXELS),
            "largest width x height an image header may declare, checked before decoding (INVALID_IMAGE)");
    public static final DivaOption<Long> DECODED_BYTES = DivaOption.of(
            "limits.decoded-bytes",
            OptionType.longInteger(64, 1L << 42),
            String.valueOf(ImageLimits.DEFAULT_DECODED_BYTES),
            "largest width x height x channels x bytes per sample an image header may declare, checked before"
                    + " decoding (INVALID_IMAGE)");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL =
            List.of(IMAGE_ID_CHARS, LABEL_CHARS, IMAGE_BYTES, IMAGE_PIXELS, DECODED_BYTES);

    private LimitsOptions() {}
}
