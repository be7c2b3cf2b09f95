package io.divastream.images;

/**
 * A rectangle of an image, in whole pixels.
 *
 * @param left first column
 * @param top first row
 * @param width columns, positive
 * @param height rows, positive
 */
public record CropBox(int left, int top, int width, int height) {

    /**
     * Validates.
     *
     * @param left first column, non-negative
     * @param top first row, non-negative
     * @param width columns, positive
     * @param height rows, positive
     */
    public CropBox {
        if (left < 0 || top < 0 || width < 1 || height < 1) {
            throw new IllegalArgumentException("invalid crop box " + left + "," + top + " " + width + "x" + height);
        }
    }

    /**
     * Whether the box lies inside an image.
     *
     * @param imageWidth image width
     * @param imageHeight image height
     * @return true if every pixel of the box is in the image
     */
    public boolean fitsIn(int imageWidth, int imageHeight) {
        return left + width <= imageWidth && top + height <= imageHeight;
    }
}
