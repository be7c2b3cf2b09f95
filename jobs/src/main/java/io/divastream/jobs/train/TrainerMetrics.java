package io.divastream.jobs.train;

import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.StepResult;
import java.util.Arrays;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The trainer's Flink metrics (docs/monitoring.md lists them): counters and meters of steps,
 * diverged steps and training images, a histogram of step times, and gauges of the last step's
 * losses, the DaNCE queue (its size, fill and initialisation batches), the class count and the
 * learning-rate scale.
 *
 * <p>The gauges read values the task thread publishes after each step ({@link #stepDone}, {@link
 * #trainerChanged}) through volatile fields, never the trainer itself, which a reporter thread
 * must not touch.
 */
final class TrainerMetrics {

    /** Number of recent steps whose times the step-time histogram holds. */
    static final int STEP_TIME_WINDOW = 500;

    /** Name of the sub-group of the loss gauges. */
    static final String LOSS_GROUP = "loss";

    private final Counter steps;
    private final Counter divergedSteps;
    private final Counter images;
    private final Histogram stepTimeMs;
    private volatile double[] lastLosses;
    private volatile int queueSize;
    private volatile int queueCapacity;
    private volatile long queueInitBatches;
    private volatile int classes;
    private volatile long recycledClasses;
    private volatile double learningRateScale;

    /**
     * Registers the metrics.
     *
     * @param group the trainer operator's metric group
     */
    TrainerMetrics(MetricGroup group) {
        steps = group.counter("numTrainingSteps");
        divergedSteps = group.counter("numDivergedSteps");
        images = group.counter("numTrainingImages");
        group.meter("numTrainingStepsPerSecond", new MeterView(steps));
        group.meter("numTrainingImagesPerSecond", new MeterView(images));
        stepTimeMs = group.histogram("stepTimeMs", new DescriptiveStatisticsHistogram(STEP_TIME_WINDOW));
        lastLosses = nanLosses();
        MetricGroup losses = group.addGroup(LOSS_GROUP);
        for (int i = 0; i < LossAccumulator.NAMES.length; i++) {
            int index = i;
            losses.gauge(LossAccumulator.NAMES[i], () -> lastLosses[index]);
        }
        group.gauge("queueSize", () -> queueSize);
        group.gauge("queueFill", () -> queueCapacity == 0 ? 0.0 : (double) queueSize / queueCapacity);
        group.gauge("queueInitBatches", () -> queueInitBatches);
        group.gauge("trainClasses", () -> classes);
        group.gauge("recycledClasses", () -> recycledClasses);
        group.gauge("learningRateScale", () -> learningRateScale);
    }

    private static double[] nanLosses() {
        double[] values = new double[LossAccumulator.NAMES.length];
        Arrays.fill(values, Double.NaN);
        return values;
    }

    /**
     * Records a step that was taken.
     *
     * @param result what it did
     * @param batchSize the images in its batch
     * @param nanos how long it took
     * @param trainer the trainer after the step
     */
    void stepDone(StepResult result, int batchSize, long nanos, DivaTrainer trainer) {
        steps.inc();
        images.inc(batchSize);
        stepTimeMs.update(Math.round(nanos / 1e6));
        lastLosses = LossAccumulator.values(result);
        trainerChanged(trainer);
    }

    /**
     * Records a step that diverged and was skipped.
     *
     * @param nanos how long it took
     * @param trainer the trainer after the rejected step
     */
    void stepDiverged(long nanos, DivaTrainer trainer) {
        divergedSteps.inc();
        stepTimeMs.update(Math.round(nanos / 1e6));
        trainerChanged(trainer);
    }

    /**
     * Publishes the trainer's queue, class count and learning-rate scale (after a step, a
     * queue-initialisation batch or a restore).
     *
     * @param trainer the trainer
     */
    void trainerChanged(DivaTrainer trainer) {
        queueSize = trainer.queueSize();
        queueCapacity = trainer.queueCapacity();
        queueInitBatches = trainer.queueInitBatches();
        classes = trainer.classCount();
        recycledClasses = trainer.recycledClasses();
        learningRateScale = trainer.learningRateScale();
    }
}
