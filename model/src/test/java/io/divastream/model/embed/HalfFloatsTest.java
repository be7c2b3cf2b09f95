package io.divastream.model.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Half precision against the definition: every half value round-trips, every float goes to its nearest half. */
class HalfFloatsTest {

    @Test
    void everyHalfValueRoundTripsAndConvertsExactly() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short half = (short) bits;
            float value = HalfFloats.toFloat(half);
            int exponent = (bits >>> 10) & 0x1F;
            int mantissa = bits & 0x3FF;
            if (exponent == 0x1F && mantissa != 0) {
                assertThat(value).isNaN();
                continue;
            }
            // the definition: (-1)^s 2^(e - 15) (1 + m / 1024), or 2^-14 m / 1024 for e = 0
            double expected = exponent == 0x1F
                    ? Double.POSITIVE_INFINITY
                    : exponent == 0
                            ? Math.scalb(mantissa / 1024.0, -14)
                            : Math.scalb(1 + mantissa / 1024.0, exponent - 15);
            expected = (bits & 0x8000) != 0 ? -expected : expected;
            assertThat((double) value).as("bits %04x", bits).isEqualTo(expected);
            assertThat(HalfFloats.toHalf(value)).as("bits %04x", bits).isEqualTo(half);
        }
    }

    @Test
    void floatsGoToTheirNearestHalfWithTiesToEven() {
        double[] values = new double[0x7C00]; // every finite non-negative half, in order
        for (int bits = 0; bits < 0x7C00; bits++) {
            values[bits] = HalfFloats.toFloat((short) bits);
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 20_000; trial++) {
            // log-uniform magnitudes across the whole half range, subnormals and overflow included
            float f = (float) Math.scalb(1 + random.nextDouble(), random.nextInt(-27, 17));
            if (trial % 10 == 0) {
                f = (float) values[random.nextInt(0x7BFF)]; // a half value itself
            } else if (trial % 10 == 1) {
                int k = random.nextInt(0x7BFE);
                f = (float) ((values[k] + values[k + 1]) / 2); // a tie, exactly halfway between two halves
            }
            int naive = nearest(values, f);
            short got = HalfFloats.toHalf(f);
            assertThat(got & 0xFFFF).as("%s (%a)", f, f).isEqualTo(naive);
            assertThat(HalfFloats.toHalf(-f) & 0xFFFF).isEqualTo(naive | 0x8000);
        }
        // ties: halfway between 1 and the next half (1 + 2^-10) goes to the even one, 1
        assertThat(HalfFloats.toHalf(1 + 0x1p-11f)).isEqualTo(HalfFloats.toHalf(1f));
        assertThat(HalfFloats.toHalf(1 + 3 * 0x1p-11f)).isEqualTo((short) (HalfFloats.toHalf(1f) + 2));
        assertThat(HalfFloats.toFloat(HalfFloats.toHalf(Float.NaN))).isNaN();
        assertThat(HalfFloats.toFloat(HalfFloats.toHalf(1e6f))).isEqualTo(Float.POSITIVE_INFINITY);
    }

    /** The nearest half by a scan of every value, ties to the even bit pattern; past the largest, infinity. */
    private static int nearest(double[] values, float f) {
        double max = values[0x7BFF];
        // beyond max + half an ulp (2^15 * 2^-11 / 2 ... the rounding boundary 65520) the result is infinity
        if (f >= 65520) {
            return 0x7C00;
        }
        int best = 0;
        double bestDiff = Double.POSITIVE_INFINITY;
        for (int bits = 0; bits < values.length; bits++) {
            double diff = Math.abs(values[bits] - f);
            if (diff < bestDiff || (diff == bestDiff && (bits & 1) == 0)) {
                best = bits;
                bestDiff = diff;
            }
        }
        assertThat(max).isEqualTo(65504);
        return best;
    }
}
