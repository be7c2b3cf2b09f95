package io.divastream.jobs.embed;

import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.ImageSample;
import io.divastream.schemas.DeadLetterReason;

/** The dead letters of a {@link CatalogueEmbedder}: an image a full catalogue rejects, a changed label. */
final class CatalogueDeadLetters {

    private CatalogueDeadLetters() {}

    /**
     * An image rejected because the subtask's catalogue is full ({@code CATALOGUE_FULL}).
     *
     * @param sourceTopic the input topic
     * @param sample the image
     * @param subtask the subtask's index
     * @param maxImages the subtask's bound
     * @return the dead letter
     */
    static DeadLetterEvent catalogueFull(String sourceTopic, ImageSample sample, int subtask, int maxImages) {
        String message = "image " + sample.imageId() + " (" + sample.label()
                + ") was not embedded: the catalogue of embedder subtask " + subtask + " holds its maximum of "
                + maxImages + " images (--embedding.max-images-per-subtask)";
        return DeadLetterEvent.ofImage(
                sourceTopic, sample.imageId(), DeadLetterReason.CATALOGUE_FULL, message, CatalogueEmbedder.STAGE);
    }

    /**
     * An image that arrived with another label than its first ({@code LABEL_CHANGED}).
     *
     * @param sourceTopic the input topic
     * @param sample the image with its new label
     * @param firstLabel the stored first label, or null if the image is no longer stored
     * @return the dead letter
     */
    static DeadLetterEvent labelChanged(String sourceTopic, ImageSample sample, String firstLabel) {
        String first = firstLabel == null ? "another label" : "the label " + firstLabel;
        String message = "image " + sample.imageId() + " arrived with the label " + sample.label() + ", but it arrived"
                + " first with " + first + ": the first label stays (a new label needs a new image id)";
        return DeadLetterEvent.ofImage(
                sourceTopic, sample.imageId(), DeadLetterReason.LABEL_CHANGED, message, CatalogueEmbedder.STAGE);
    }
}
