package io.divastream.model.augment;

/**
 * One concrete affine transform of a square image about its centre, as applied by
 * {@link GlyphAugmenter#transform(float[], int, AffineParams)}. In image coordinates (x right, y down)
 * a point at offset {@code p} from the centre {@code c = ((size-1)/2, (size-1)/2)} moves to
 * {@code c + R(rotation) * H(shear) * scale * p + (translateX, translateY)}, where {@code H} shears x by
 * {@code tan(shear) * y} and {@code R} turns counter-clockwise as displayed for positive angles.
 *
 * @param rotationDeg rotation in degrees, positive = counter-clockwise on screen
 * @param scale isotropic scale factor, positive
 * @param translateX shift to the right in pixels
 * @param translateY shift downwards in pixels
 * @param shearDeg horizontal shear angle in degrees, in (-90, 90)
 */
public record AffineParams(double rotationDeg, double scale, double translateX, double translateY, double shearDeg) {

    /**
     * Validates the parameters.
     *
     * @param rotationDeg rotation in degrees
     * @param scale scale factor
     * @param translateX horizontal shift in pixels
     * @param translateY vertical shift in pixels
     * @param shearDeg shear angle in degrees
     */
    public AffineParams {
        if (!Double.isFinite(rotationDeg) || !Double.isFinite(translateX) || !Double.isFinite(translateY)) {
            throw new IllegalArgumentException("rotation and translation must be finite");
        }
        if (!(scale > 0.0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be finite and positive, got " + scale);
        }
        if (!(Math.abs(shearDeg) < 90.0)) {
            throw new IllegalArgumentException("shearDeg must be in (-90, 90), got " + shearDeg);
        }
    }

    /**
     * The identity transform.
     *
     * @return parameters that leave an image unchanged
     */
    public static AffineParams identity() {
        return new AffineParams(0.0, 1.0, 0.0, 0.0, 0.0);
    }
}
