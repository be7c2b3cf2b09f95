package io.divastream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.config.NetworkSpec;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fills the DaNCE queue before training (DIVA_SPEC section 2.4): the key encoder, in inference
 * mode, embeds one view (view A) of each image of the first batches and the selfsim keys are
 * appended, first in, first out. Nothing else changes (no step, no class, no parameter) but the
 * state's count of initialisation batches and keys. A queue still empty at the first training step
 * is filled from that step's view A ({@link #fillIfEmpty}).
 */
final class QueueInitialisation {

    private final TrainerState state;
    private final TrainingViews views;

    /**
     * Creates the initialisation of a state's queue.
     *
     * @param state the state (queue, key encoder, counters)
     * @param views the training views
     */
    QueueInitialisation(TrainerState state, TrainingViews views) {
        this.state = state;
        this.views = views;
    }

    private NetworkSpec spec() {
        return state.spec();
    }

    /**
     * Embeds view A of each batch, as the original code does over its first {@code n_key_batches}
     * batches, until the queue is full.
     *
     * @param batches the batches
     * @return the queue size afterwards (0 without the selfsim head)
     */
    int fromBatches(Iterable<LabeledBatch> batches) {
        for (LabeledBatch batch : batches) {
            if (!spec().has(DivaHead.SELFSIM)
                    || state.queue().size() >= state.config().momentum().queueSize()) {
                break;
            }
            enqueueKeys(Arrays.asList(batch.images()), views.glyph());
        }
        return state.queue().size();
    }

    /**
     * Embeds view A of one batch of glyphs.
     *
     * @param batch the batch
     * @return the queue size afterwards (0 without the selfsim head, and the batch is not counted)
     * @throws IllegalStateException if the trainer has already taken a step
     */
    int fromBatch(LabeledBatch batch) {
        if (state.steps() > 0) {
            throw new IllegalStateException("the DaNCE queue is initialised before training, but the trainer has taken "
                    + state.steps() + " steps");
        }
        return enqueueKeys(Arrays.asList(batch.images()), views.glyph());
    }

    /**
     * Appends the keys of one random view of each image. The views are drawn from a stream of the
     * seed, the step count and the number of keys enqueued this way before.
     *
     * @param images the images
     * @param view draws a view
     * @param <T> the image type
     * @return the queue size afterwards (0 without the selfsim head, and nothing is counted)
     */
    <T> int enqueueKeys(List<T> images, TrainingView<T> view) {
        if (!spec().has(DivaHead.SELFSIM)) {
            return 0;
        }
        SplittableRandom random = RandomStreams.of(
                state.config().seed(), RandomStreams.Purpose.QUEUE_VIEWS, state.steps(), state.queueInitKeys());
        enqueueKeys(views.draw(images, view, 1, random)[0], images.size());
        state.countQueueInitBatch(images.size());
        return state.queue().size();
    }

    private void enqueueKeys(float[] inputs, int count) {
        DjlRuntime.disableGradientRecording();
        views.checkSize(inputs, count);
        try (NDManager manager = state.root().newSubManager()) {
            NDArray x = manager.create(inputs, views.shape(count));
            NDList keys = state.keyEncoder().forward(state.parameterStore(), new NDList(x), false);
            state.queue().enqueue(keys.get(spec().indexOf(DivaHead.SELFSIM)));
        }
    }

    /**
     * Fills a still empty queue at the first training step with the keys of that step's view A
     * (the arrays of the forward pass belong to {@code xA}'s manager).
     *
     * @param xA view A of the step's batch
     * @return whether the queue was filled (the step empties it again if it fails)
     */
    boolean fillIfEmpty(NDArray xA) {
        if (!spec().has(DivaHead.SELFSIM) || state.queue().size() != 0) {
            return false;
        }
        NDList keys = state.keyEncoder().forward(state.parameterStore(), new NDList(xA), false);
        state.queue().enqueue(keys.get(spec().indexOf(DivaHead.SELFSIM)));
        return true;
    }
}
