package io.divastream.jobs.config;

import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.model.embed.FeatureExtractor;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.InputSpec;

/**
 * The start-up check of a photo preset's backbone (frozen, or trained whole): before the job is submitted, the
 * TorchScript file of {@code model.backbone-file} is loaded and run once on an input of the configured size, so
 * that a file that is not TorchScript, takes another input or gives another feature width stops the job with one
 * line naming the options, not a task failure on every photo later.
 */
public final class BackboneProbe {

    private BackboneProbe() {}

    /**
     * Checks the job's photo backbone, if it has one.
     *
     * @param config the job's configuration
     * @throws ConfigException naming the options if the backbone does not load or run as described
     */
    public static void check(JobConfig config) {
        BackboneSpec backbone;
        if (config.training().decoding() instanceof SampleDecoding.Features features) {
            backbone = features.backbone();
        } else if (config.training().decoding() instanceof SampleDecoding.Photos) {
            backbone = config.training().model().network().backbone();
        } else {
            return;
        }
        InputSpec input = backbone.input();
        float[] grey = new float[input.channels() * input.cropSize() * input.cropSize()];
        try (FeatureExtractor extractor = new FeatureExtractor(backbone)) {
            float[] out = extractor.features(new float[][] {grey})[0];
            if (out.length != backbone.featureDim()) {
                throw new IllegalStateException("it gave " + out.length + " values");
            }
        } catch (RuntimeException e) {
            throw new ConfigException("option --" + ModelOptions.BACKBONE_FILE.key() + " " + backbone.id()
                    + ": one forward pass on a 3 x " + input.cropSize() + " x " + input.cropSize() + " input (--"
                    + ModelOptions.BACKBONE_INPUT_SIZE.key() + ") giving " + backbone.featureDim() + " values (--"
                    + ModelOptions.BACKBONE_FEATURE_DIM.key() + ") failed: " + e.getMessage());
        }
    }
}
