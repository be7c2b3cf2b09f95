package io.divastream.offline;

import io.divastream.datasets.Dataset;
import io.divastream.datasets.DatasetImage;
import io.divastream.images.InvalidImageException;
import io.divastream.images.PhotoDecoder;
import io.divastream.images.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Decodes the images of a dataset into memory once (glyphs at the network's size, photos as RGB
 * at their original resolution, so every training view is cropped from the full image without
 * decoding the JPEG again).
 */
public final class DecodedImages {

    private DecodedImages() {}

    /**
     * Decodes every photo of a dataset to RGB, on all processors.
     *
     * @param dataset the dataset
     * @return the photos, labelled with their class names
     * @throws IOException if an image cannot be read
     * @throws InvalidImageException naming the image if one cannot be decoded
     */
    public static LabeledImages<RgbImage> photos(Dataset dataset) throws IOException {
        return decode(dataset, PhotoDecoder::decode, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Decodes every image of a dataset.
     *
     * @param dataset the dataset
     * @param decoder decodes one image's encoded bytes; called from {@code threads} threads at once
     * @param threads decoding threads
     * @param <T> the decoded image type
     * @return the images, labelled with their class names
     * @throws IOException if an image cannot be read
     * @throws InvalidImageException naming the image if one cannot be decoded
     */
    public static <T> LabeledImages<T> decode(Dataset dataset, Function<byte[], T> decoder, int threads)
            throws IOException {
        List<DatasetImage> images = dataset.images();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<T>> decoded = new ArrayList<>(images.size());
            for (DatasetImage image : images) {
                decoded.add(pool.submit(() -> {
                    try {
                        return decoder.apply(image.source().read());
                    } catch (InvalidImageException e) {
                        throw new InvalidImageException(
                                e.reason(), image.source().location() + ": " + e.getMessage(), e);
                    }
                }));
            }
            List<String> ids = new ArrayList<>(images.size());
            List<String> labels = new ArrayList<>(images.size());
            List<T> decodedImages = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                ids.add(images.get(i).id());
                labels.add(images.get(i).className());
                decodedImages.add(get(decoded.get(i)));
            }
            return new LabeledImages<>(ids, labels, decodedImages);
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T get(Future<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(cause);
        }
    }
}
