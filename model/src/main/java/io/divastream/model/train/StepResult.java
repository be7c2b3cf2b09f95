package io.divastream.model.train;

import io.divastream.model.DivaHead;
import java.util.Map;

/**
 * What one training step did.
 *
 * @param step the optimizer step count after this step
 * @param total the total objective
 * @param taskLosses each enabled head's task loss, before its weight alpha
 * @param decorrelation the decorrelation term L_sep (already weighted by rho, negative)
 * @param queueSize the number of DaNCE keys queued after the step
 */
public record StepResult(
        long step, double total, Map<DivaHead, Double> taskLosses, double decorrelation, int queueSize) {

    /** Copies the map. */
    public StepResult {
        taskLosses = Map.copyOf(taskLosses);
    }
}
