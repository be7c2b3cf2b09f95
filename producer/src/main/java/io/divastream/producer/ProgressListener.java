package io.divastream.producer;

/** Told after each event the {@link ImageEventProducer} hands to Kafka. */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that does nothing. */
    ProgressListener NONE = (sent, total) -> {};

    /**
     * Called after an event was handed to the producer.
     *
     * @param sent events sent so far in this call
     * @param total events this call will send
     */
    void onSent(long sent, long total);
}
