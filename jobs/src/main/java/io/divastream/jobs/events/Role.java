package io.divastream.jobs.events;

/** Whether an image's class is used for training or held out to evaluate retrieval. */
public enum Role {
    /** Trained on. */
    TRAIN,
    /** Held out: embedded and scored, never trained on. */
    EVAL
}
