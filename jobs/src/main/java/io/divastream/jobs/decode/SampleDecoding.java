package io.divastream.jobs.decode;

import io.divastream.images.ImageDecoder;
import io.divastream.images.ImageLimits;
import io.divastream.images.ImageSpec;
import io.divastream.images.InvalidImageException;
import io.divastream.images.PhotoDecoder;
import io.divastream.images.PhotoFeatureExtractor;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.model.DjlRuntime;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.Serializable;
import java.util.Objects;

/**
 * How a decoder turns an event's encoded image into a sample's payload: a glyph's pixels, or a photo's
 * frozen-backbone features (docs/photos.md). Serializable, so it travels in the job graph; {@link #open} makes the
 * per-subtask decoder, which holds native memory for the features and is closed with the operator.
 */
public sealed interface SampleDecoding extends Serializable {

    /**
     * What the samples carry.
     *
     * @return the payload kind
     */
    SamplePayload payload();

    /**
     * Makes a subtask's decoder.
     *
     * @param limits the bounds on an image
     * @return the decoder; close it
     */
    Decoder open(ImageLimits limits);

    /** A subtask's decoder. */
    interface Decoder extends AutoCloseable {
        /**
         * Decodes an image into a payload.
         *
         * @param imageId the image's id
         * @param encoded the encoded image
         * @param training whether the payload is for training (features: with the training views)
         * @return the payload
         * @throws InvalidImageException if the image cannot be decoded within the limits
         */
        byte[] decode(String imageId, byte[] encoded, boolean training);

        @Override
        void close();
    }

    /**
     * Glyphs: grayscale pixels at the network's input size.
     *
     * @param spec the input size and inversion
     */
    record Glyphs(ImageSpec spec) implements SampleDecoding {
        private static final long serialVersionUID = 1L;

        /** Checks the spec. */
        public Glyphs {
            Objects.requireNonNull(spec, "spec");
        }

        @Override
        public SamplePayload payload() {
            return SamplePayload.GLYPH_PIXELS;
        }

        @Override
        public Decoder open(ImageLimits limits) {
            ImageDecoder decoder = new ImageDecoder(spec, limits);
            return new Decoder() {
                @Override
                public byte[] decode(String imageId, byte[] encoded, boolean training) {
                    return ImageDecoder.toBytes(decoder.decode(encoded));
                }

                @Override
                public void close() {}
            };
        }
    }

    /**
     * Photos through a frozen backbone: the features of the evaluation view, and of training views for training.
     * Each decoder subtask runs the backbone with a set number of libtorch intra-op threads: libtorch keeps the
     * count per calling thread, and a subtask that set none would take whichever count another operator set last,
     * so that the features, and every model version trained on them, would depend on the order in which the
     * operators opened (found by {@code PhotoPipelineRecoveryIT}).
     *
     * @param backbone the frozen backbone
     * @param trainingViews the training views per training image
     * @param precision how the features are stored
     * @param seed the seed of the training views
     * @param intraOpThreads libtorch's intra-op threads of each decoder subtask (0: every processor)
     */
    record Features(
            BackboneSpec backbone, int trainingViews, StoredFeatures.Precision precision, long seed, int intraOpThreads)
            implements SampleDecoding {
        private static final long serialVersionUID = 2L;

        /** Checks the settings. */
        public Features {
            Objects.requireNonNull(backbone, "backbone");
            Objects.requireNonNull(precision, "precision");
            if (trainingViews < 1 || trainingViews > StoredFeatures.MAX_VIEWS) {
                throw new IllegalArgumentException(
                        "training views must be 1 to " + StoredFeatures.MAX_VIEWS + ", got " + trainingViews);
            }
            DjlRuntime.checkIntraOpThreads(intraOpThreads);
        }

        /**
         * Photos through a frozen backbone, each decoder subtask on one intra-op thread.
         *
         * @param backbone the frozen backbone
         * @param trainingViews the training views per training image
         * @param precision how the features are stored
         * @param seed the seed of the training views
         */
        public Features(BackboneSpec backbone, int trainingViews, StoredFeatures.Precision precision, long seed) {
            this(backbone, trainingViews, precision, seed, 1);
        }

        @Override
        public SamplePayload payload() {
            return SamplePayload.STORED_FEATURES;
        }

        @Override
        public Decoder open(ImageLimits limits) {
            DjlRuntime.useIntraOpThreads(intraOpThreads);
            PhotoFeatureExtractor extractor = new PhotoFeatureExtractor(backbone, limits, trainingViews, seed);
            return new Decoder() {
                @Override
                public byte[] decode(String imageId, byte[] encoded, boolean training) {
                    StoredFeatures features =
                            training ? extractor.training(imageId, encoded) : extractor.evaluation(encoded);
                    return features.toBytes(precision);
                }

                @Override
                public void close() {
                    extractor.close();
                }
            };
        }
    }

    /**
     * Photos kept as their encoded bytes, for a network that trains whole on pixels (the {@code finetune} mode): the
     * decoder checks that a photo decodes within the limits (a bomb or a broken photo is a dead letter here, not a
     * failure of the trainer or the embedders later) and passes its bytes on; the trainer draws training views
     * from them at each step and the embedders the evaluation view ({@code EncodedPhotoViews}).
     */
    record Photos() implements SampleDecoding {
        private static final long serialVersionUID = 1L;

        @Override
        public SamplePayload payload() {
            return SamplePayload.ENCODED_PHOTO;
        }

        @Override
        public Decoder open(ImageLimits limits) {
            return new Decoder() {
                @Override
                public byte[] decode(String imageId, byte[] encoded, boolean training) {
                    PhotoDecoder.decode(encoded, limits);
                    return encoded;
                }

                @Override
                public void close() {
                    // nothing held
                }
            };
        }
    }
}
