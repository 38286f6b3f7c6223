package io.edgellm.quant.ggml;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Half} against independent ports of ggml's scalar conversions ({@code ggml_compute_fp32_to_fp16}, the
 * FP16-library bit trick; {@code ggml_compute_fp32_to_bf16}) and against exact round-to-nearest-even arithmetic.
 */
class HalfTest {

    /** ggml's {@code ggml_compute_fp32_to_fp16} (generic C path), ported as an independent oracle. */
    private static short ggmlFp32ToFp16(float f) {
        final float scaleToInf = 0x1.0p+112f;
        final float scaleToZero = 0x1.0p-110f;
        float base = (Math.abs(f) * scaleToInf) * scaleToZero;
        int w = Float.floatToRawIntBits(f);
        int shl1W = w + w;
        int sign = w & 0x8000_0000;
        int bias = shl1W & 0xFF00_0000;
        if (Integer.compareUnsigned(bias, 0x7100_0000) < 0) {
            bias = 0x7100_0000;
        }
        base = Float.intBitsToFloat((bias >>> 1) + 0x0780_0000) + base;
        int bits = Float.floatToRawIntBits(base);
        int expBits = (bits >>> 13) & 0x7C00;
        int mantissaBits = bits & 0x0FFF;
        int nonsign = expBits + mantissaBits;
        return (short) ((sign >>> 16) | (Integer.compareUnsigned(shl1W, 0xFF00_0000) > 0 ? 0x7E00 : nonsign));
    }

    @Test
    void everyHalfWidensExactlyAndNarrowsBack() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Half.toFloat((short) h);
            boolean nan = (h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0;
            assertEquals(nan, Float.isNaN(f), "NaN-ness of 0x" + Integer.toHexString(h));
            if (!nan) {
                assertEquals((short) h, Half.fromFloat(f), "round trip of 0x" + Integer.toHexString(h));
            }
        }
        assertEquals(65504.0f, Half.toFloat((short) 0x7BFF));
        assertEquals(0x1.0p-24f, Half.toFloat((short) 0x0001)); // smallest subnormal
    }

    @Test
    void fromFloatMatchesGgmlOnTiesNeighboursAndASweepOfAllFloats() {
        // every midpoint between two neighbouring halves (the ties), and one float ulp either side of it
        for (int h = 0; h < 0x7C00; h++) {
            double lo = Half.toFloat((short) h);
            double hi = Half.toFloat((short) (h + 1));
            float mid = (float) ((lo + hi) / 2); // exact: halves have 11 significant bits
            for (float f : new float[] {mid, Math.nextUp(mid), Math.nextDown(mid), -mid, -Math.nextUp(mid)}) {
                assertEquals(ggmlFp32ToFp16(f), Half.fromFloat(f), "f = " + f);
            }
            // ties go to the even half
            short r = Half.fromFloat(mid);
            assertEquals(0, r & 1, "tie " + mid + " rounds to even");
        }
        // a sweep over the whole float bit space (every 251st pattern: all exponents, signs, NaNs, infinities)
        for (long bits = 0; bits <= 0xFFFF_FFFFL; bits += 251) {
            float f = Float.intBitsToFloat((int) bits);
            assertEquals(ggmlFp32ToFp16(f), Half.fromFloat(f), "bits 0x" + Long.toHexString(bits));
        }
        assertEquals((short) 0x7C00, Half.fromFloat(65520.0f)); // halfway to 2^16 rounds up to +inf
        assertEquals((short) 0x7BFF, Half.fromFloat(65519.996f));
        assertEquals((short) 0x7E00, Half.fromFloat(Float.intBitsToFloat(0x7F80_0001))); // NaN canonicalised as ggml
        assertEquals((short) 0xFE00, Half.fromFloat(Float.intBitsToFloat(0xFFC0_1234)));
    }

    /** Exact round to nearest even to the upper 16 bits, computed with doubles (independent of the bit trick). */
    private static short bf16Reference(float f) {
        int u = Float.floatToRawIntBits(f);
        int truncated = u & 0xFFFF_0000;
        if ((u & 0xFFFF) == 0) {
            return (short) (u >>> 16);
        }
        double lo = Float.intBitsToFloat(truncated);
        double hi = Float.intBitsToFloat(truncated + 0x1_0000); // next bf16 away from zero
        if (Double.isInfinite(hi)) {
            hi = Math.copySign(0x1p128, f); // IEEE: round as if the exponent range were unbounded, then overflow
        }
        double dLo = Math.abs(f - lo);
        double dHi = Math.abs(hi - f);
        int loBits = truncated >>> 16;
        if (dLo < dHi || (dLo == dHi && (loBits & 1) == 0)) {
            return (short) loBits;
        }
        return (short) (loBits + 1);
    }

    @Test
    void floatToBf16RoundsToNearestEvenLikeGgml() {
        assertEquals((short) 0x3F80, Half.floatToBf16(Float.intBitsToFloat(0x3F80_8000))); // tie, even below
        assertEquals((short) 0x3F82, Half.floatToBf16(Float.intBitsToFloat(0x3F81_8000))); // tie, even above
        assertEquals((short) 0x3F81, Half.floatToBf16(Float.intBitsToFloat(0x3F80_8001)));
        assertEquals((short) 0x7F80, Half.floatToBf16(Float.MAX_VALUE)); // overflows to +inf
        assertEquals((short) 0x0002, Half.floatToBf16(Float.intBitsToFloat(0x0001_8000))); // subnormal kept, rounded
        assertEquals((short) 0x7FC0, Half.floatToBf16(Float.intBitsToFloat(0x7F80_0001))); // NaN made quiet
        assertEquals((short) 0xFFC1, Half.floatToBf16(Float.intBitsToFloat(0xFFC1_FFFF))); // NaN: truncated, never rounded
        for (long bits = 0; bits <= 0xFFFF_FFFFL; bits += 251) {
            float f = Float.intBitsToFloat((int) bits);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Half.bf16ToFloat(Half.floatToBf16(f))));
                continue;
            }
            assertEquals(bf16Reference(f), Half.floatToBf16(f), "bits 0x" + Long.toHexString(bits));
        }
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            short b = (short) rnd.nextInt(0x10000);
            float f = Half.bf16ToFloat(b);
            if (!Float.isNaN(f)) {
                assertEquals(b, Half.floatToBf16(f), "bf16 round trip");
            }
        }
    }
}
