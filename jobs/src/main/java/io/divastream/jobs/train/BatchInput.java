package io.divastream.jobs.train;

import io.divastream.images.EncodedPhotoViews;
import io.divastream.images.ImageDecoder;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.model.net.backbone.InputSpec;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.FeatureViews;
import io.divastream.model.train.LabeledBatch;
import io.divastream.model.train.StepResult;
import java.util.Arrays;
import java.util.List;

/**
 * A training batch as the trainer takes it: glyphs, whose augmented views the trainer draws itself, stored features
 * of a frozen backbone, whose views are drawn from the stored ones ({@link FeatureViews}), or encoded photos, whose
 * views the trainer crops from the decoded photo ({@link EncodedPhotoViews}).
 */
sealed interface BatchInput {

    /**
     * Reads a batch's payloads.
     *
     * @param batch the batch
     * @param payload what its samples carry
     * @param input the network's input spec (for encoded photos, whose views the trainer draws)
     * @return the input
     */
    static BatchInput of(TrainingBatch batch, SamplePayload payload, InputSpec input) {
        List<String> labels = Arrays.asList(batch.labels());
        byte[][] payloads = batch.pixels();
        if (payload == SamplePayload.ENCODED_PHOTO) {
            return new Photos(labels, Arrays.asList(payloads), new EncodedPhotoViews(input));
        }
        if (payload == SamplePayload.GLYPH_PIXELS) {
            float[][] images = new float[payloads.length][];
            for (int i = 0; i < images.length; i++) {
                images[i] = ImageDecoder.fromBytes(payloads[i]);
            }
            return new Glyphs(new LabeledBatch(labels, images));
        }
        float[][][] views = new float[payloads.length][][];
        for (int i = 0; i < views.length; i++) {
            views[i] = payload.trainingViews(payloads[i]);
        }
        return new Features(labels, List.of(views));
    }

    /**
     * Takes one training step on the batch.
     *
     * @param trainer the trainer
     * @return the step's result
     */
    StepResult step(DivaTrainer trainer);

    /**
     * Fills the DaNCE queue with the key encoder's embeddings of one view of each image (before training).
     *
     * @param trainer the trainer
     * @return the queue size afterwards
     */
    int enqueueKeys(DivaTrainer trainer);

    /** Glyph pixels. */
    record Glyphs(LabeledBatch batch) implements BatchInput {
        @Override
        public StepResult step(DivaTrainer trainer) {
            return trainer.step(batch);
        }

        @Override
        public int enqueueKeys(DivaTrainer trainer) {
            return trainer.initializeQueue(batch);
        }
    }

    /** Encoded photos: the trainer draws each step's views from the decoded photo (the whole network trains). */
    record Photos(List<String> labels, List<byte[]> photos, EncodedPhotoViews views) implements BatchInput {
        @Override
        public StepResult step(DivaTrainer trainer) {
            return trainer.step(labels, photos, views);
        }

        @Override
        public int enqueueKeys(DivaTrainer trainer) {
            return trainer.enqueueKeys(photos, views);
        }
    }

    /** Each image's stored training-view features. */
    record Features(List<String> labels, List<float[][]> views) implements BatchInput {
        @Override
        public StepResult step(DivaTrainer trainer) {
            return trainer.step(labels, views, FeatureViews.INSTANCE);
        }

        @Override
        public int enqueueKeys(DivaTrainer trainer) {
            return trainer.enqueueKeys(views, FeatureViews.INSTANCE);
        }
    }
}
