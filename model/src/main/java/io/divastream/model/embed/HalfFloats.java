package io.divastream.model.embed;

/**
 * IEEE 754 half precision (binary16) for stored features: 2 bytes a value instead of 4, with about three
 * significant decimal digits. Rounds to nearest, ties to even, as the hardware conversions do; values beyond the
 * range become infinities, tiny ones subnormals or zero. Java 17 has no such conversion (Java 20 added one).
 */
public final class HalfFloats {

    private HalfFloats() {}

    /**
     * Converts a float to half precision.
     *
     * @param value the value
     * @return its nearest half-precision value, as the 16 bits
     */
    public static short toHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            int m = mantissa | 0x800000;
            int shift = 14 - e;
            return (short) (sign | roundShift(m, shift));
        }
        // normal: the carry of a rounding up may move into the exponent, which is then right (or infinity)
        return (short) (sign | roundShift((e << 23) | mantissa, 13));
    }

    /**
     * Converts a half-precision value to a float (exactly).
     *
     * @param half the 16 bits
     * @return the value
     */
    public static float toFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** {@code value >>> shift}, rounded to nearest with ties to even. */
    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int rest = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (rest > half || (rest == half && (kept & 1) != 0)) {
            kept++;
        }
        return kept;
    }
}
