package io.edgellm.quant.ggml;

import io.edgellm.quant.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantize → dequantize on random data: per-element error bounds that follow from each format's definition, and
 * hand-computed blocks for the activation formats Q8_0, Q8_1 and Q8_K (where roundf and nearest_int differ).
 */
class QuantizeRoundTripTest {

    private static final int N = 4096;

    /** Gaussian data with a few larger outliers and some exact zeros, several scales. */
    private static float[] randomData(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            double scale = (i / 256) % 4 == 0 ? 0.01 : (i / 256) % 4 == 1 ? 1.0 : (i / 256) % 4 == 2 ? 30.0 : 0.2;
            double g = gaussian(rnd);
            x[i] = (float) (rnd.nextInt(50) == 0 ? 6 * scale * g : rnd.nextInt(40) == 0 ? 0.0 : scale * g);
        }
        return x;
    }

    private static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_1", "Q8_K"})
    void roundTripErrorStaysWithinTheFormatsBound(GgmlType type) {
        for (long seed = 1; seed <= 3; seed++) {
            float[] x = randomData(seed);
            MemorySegment q = Quantize.row(type, x, 0, N);
            assertEquals(type.rowBytes(N), q.byteSize());
            float[] y = Dequantize.row(type, q, 0, N);
            int bs = type.blockSize() == 1 ? 32 : type.blockSize();
            double sumSq = 0;
            double errSq = 0;
            for (int b = 0; b < N; b += bs) {
                float amax = 0;
                float min = Float.MAX_VALUE;
                float max = -Float.MAX_VALUE;
                for (int j = b; j < b + bs; j++) {
                    amax = Math.max(amax, Math.abs(x[j]));
                    min = Math.min(min, x[j]);
                    max = Math.max(max, x[j]);
                }
                for (int j = b; j < b + bs; j++) {
                    double bound = switch (type) {
                        case F32 -> 0;
                        case F16 -> Math.max(Math.abs(x[j]) * 0x1p-11, 0x1p-25);
                        case BF16 -> Math.abs(x[j]) * 0x1p-8;
                        // half a step, plus the f16 rounding of d seen through |q| <= 127 (2^-11 relative)
                        case Q8_0, Q8_1 -> amax / 127.0 * (0.5 + 127 * 0x1p-11) * 1.0001;
                        // the side opposite to the extreme value is clamped at level 7: up to a whole step
                        case Q4_0 -> amax / 8.0 * (1 + 8 * 0x1p-11) * 1.0001;
                        case Q5_0 -> amax / 16.0 * (1 + 16 * 0x1p-11) * 1.0001;
                        // half a step + f16 rounding of d (|q| <= 15 or 31) and of the minimum
                        case Q4_1 -> ((max - min) / 15.0 * (0.5 + 15 * 0x1p-11) + Math.abs(min) * 0x1p-11) * 1.0001;
                        case Q5_1 -> ((max - min) / 31.0 * (0.5 + 31 * 0x1p-11) + Math.abs(min) * 0x1p-11) * 1.0001;
                        // f32 scale: half a step
                        case Q8_K -> amax / 127.0 * 0.5 * 1.0001;
                        default -> throw new AssertionError(type);
                    };
                    double err = Math.abs((double) x[j] - y[j]);
                    assertTrue(err <= bound, type + " element " + j + ": x=" + x[j] + " y=" + y[j] + " err=" + err
                            + " bound=" + bound);
                    sumSq += (double) x[j] * x[j];
                    errSq += err * err;
                }
            }
            double relRms = Math.sqrt(errSq / sumSq);
            double limit = switch (type) {
                case F32 -> 0;
                case F16 -> 1e-3;
                case BF16 -> 4e-3;
                case Q8_0, Q8_1 -> 0.01;
                case Q8_K -> 0.03;   // one scale per 256 values: the outliers cost more
                case Q5_0, Q5_1 -> 0.1;
                default -> 0.2;      // Q4_0, Q4_1
            };
            assertTrue(relRms <= limit, type + " relative RMS error " + relRms);
            if (type == GgmlType.F32) {
                assertArrayEquals(x, y);
            }
        }
    }

    /**
     * K-quants: error relative to the block's range, and relative RMS error, on Gaussian weights; more bits, less
     * error. Limits are about 1.5x what these formats give on this data.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void kQuantRoundTripErrorShrinksWithBits(GgmlType type) {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) (0.05 * gaussian(rnd));
        }
        float[] y = Dequantize.row(type, Quantize.row(type, x, 0, N), 0, N);
        double sumSq = 0;
        double errSq = 0;
        for (int b = 0; b < N; b += 256) {
            float amax = 0;
            for (int j = b; j < b + 256; j++) {
                amax = Math.max(amax, Math.abs(x[j]));
            }
            for (int j = b; j < b + 256; j++) {
                double err = Math.abs((double) x[j] - y[j]);
                assertTrue(err <= amax, type + " element " + j + ": x=" + x[j] + " y=" + y[j]);
                sumSq += (double) x[j] * x[j];
                errSq += err * err;
            }
        }
        double relRms = Math.sqrt(errSq / sumSq);
        double limit = switch (type) {
            case Q2_K -> 0.45;  // measured 0.30
            case Q3_K -> 0.25;  // 0.15
            case Q4_K -> 0.12;  // 0.071
            case Q5_K -> 0.06;  // 0.036
            default -> 0.03;    // Q6_K: 0.018
        };
        assertTrue(relRms <= limit, type + " relative RMS error " + relRms);
    }

    /** Offsets into the source array, the destination segment and the float output are honoured (no alignment needed). */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void offsetsAreHonoured(GgmlType type) {
        int n = 512;
        float[] x = randomData(4);
        float[] shifted = new float[n + 7];
        System.arraycopy(x, 0, shifted, 7, n);
        MemorySegment plain = Quantize.row(type, x, 0, n);
        MemorySegment at3 = MemorySegment.ofArray(new byte[(int) type.rowBytes(n) + 5]);
        Quantize.row(type, shifted, 7, n, at3, 3);
        assertEquals(-1, plain.mismatch(at3.asSlice(3, plain.byteSize())), "same blocks at byte offset 3");
        float[] y = Dequantize.row(type, plain, 0, n);
        float[] y11 = new float[n + 13];
        Dequantize.row(type, at3, 3, y11, 11, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(y[i]), Float.floatToRawIntBits(y11[11 + i]), "element " + i);
        }
        assertEquals(0f, y11[10]);
        assertEquals(0f, y11[11 + n]);
    }

    @Test
    void q8_0AndQ8_1RoundHalfAwayFromZero() {
        // amax = 127/64 makes d = 1/64 and 1/d = 64 exact, so x*id lands exactly on the ties
        float[] x = new float[32];
        x[0] = 127f / 64;
        x[1] = 2.5f / 64;   // 2.5 -> 3 (roundf), not 2 (ties to even)
        x[2] = -2.5f / 64;  // -2.5 -> -3 (roundf), not -2 (Math.round)
        x[3] = 0.5f / 64;   // 0.5 -> 1
        x[4] = -0.5f / 64;  // -0.5 -> -1
        x[5] = 1.5f / 64;   // 1.5 -> 2
        x[6] = -127f / 64;
        x[7] = 0.49f / 64;  // -> 0
        byte[] expectQs = new byte[32];
        byte[] vals = {127, 3, -3, 1, -1, 2, -127, 0};
        System.arraycopy(vals, 0, expectQs, 0, vals.length);

        MemorySegment q80 = Quantize.row(GgmlType.Q8_0, x, 0, 32);
        assertEquals((short) 0x2400, q80.get(LittleEndian.SHORT, 0)); // f16 of 1/64
        assertArrayEquals(expectQs, q80.asSlice(2, 32).toArray(LittleEndian.BYTE));

        MemorySegment q81 = Quantize.row(GgmlType.Q8_1, x, 0, 32);
        assertEquals((short) 0x2400, q81.get(LittleEndian.SHORT, 0));
        // s = d * sum(q) = (127 + 3 - 3 + 1 - 1 + 2 - 127) / 64 = 2/64
        assertEquals(2f / 64, Half.toFloat(q81.get(LittleEndian.SHORT, 2)));
        assertArrayEquals(expectQs, q81.asSlice(4, 32).toArray(LittleEndian.BYTE));
    }

    @Test
    void activationQuantizersOfTheX86AndArmBuildsRoundTiesToEven() {
        float[] x = new float[32];
        x[0] = 127f / 64;   // d = 1/64; 1/d = 127/amax = 64 exactly: only the rounding differs
        x[1] = 2.5f / 64;
        x[2] = -2.5f / 64;
        x[3] = 0.5f / 64;
        x[4] = 1.5f / 64;
        byte[][] expected = {
                {127, 3, -3, 1, 2},  // REFERENCE: half away from zero
                {127, 2, -2, 0, 2},  // X86_AVX: half to even
                {127, 2, -2, 0, 2},  // ARM_NEON: half to even
        };
        for (ActivationQuantizer v : ActivationQuantizer.values()) {
            for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q8_1}) {
                MemorySegment q = MemorySegment.ofArray(new byte[type.bytesPerBlock()]);
                Quantize.activationRow(type, v, x, 0, 32, q, 0);
                int qs = type == GgmlType.Q8_0 ? 2 : 4;
                assertEquals((short) 0x2400, q.get(LittleEndian.SHORT, 0));
                assertArrayEquals(expected[v.ordinal()], q.asSlice(qs, 5).toArray(LittleEndian.BYTE), v + " " + type);
                if (type == GgmlType.Q8_1) {
                    int sum = 0;
                    for (byte b : expected[v.ordinal()]) {
                        sum += b;
                    }
                    assertEquals(sum / 64f, Half.toFloat(q.get(LittleEndian.SHORT, 2)), v + " s");
                }
            }
        }
    }

    @Test
    void x86BuildsUse127OverAmaxAsInverseScale() {
        // amax where 127/amax and 1/(amax/127) differ by one ulp, and a value whose quant that changes (found by search)
        float[] x = new float[32];
        x[0] = Float.intBitsToFloat(1019860723); // 0.024638629
        x[1] = Float.intBitsToFloat(1017517222); // 0.020273518: x*id = 104.4999.. or 104.5000..
        MemorySegment q = MemorySegment.ofArray(new byte[34]);
        Quantize.activationRow(GgmlType.Q8_0, ActivationQuantizer.REFERENCE, x, 0, 32, q, 0);
        assertEquals(104, q.get(LittleEndian.BYTE, 3));
        Quantize.activationRow(GgmlType.Q8_0, ActivationQuantizer.ARM_NEON, x, 0, 32, q, 0);
        assertEquals(104, q.get(LittleEndian.BYTE, 3));
        Quantize.activationRow(GgmlType.Q8_0, ActivationQuantizer.X86_AVX, x, 0, 32, q, 0);
        assertEquals(105, q.get(LittleEndian.BYTE, 3));
    }

    @Test
    void activationQuantizersAgreeAlmostEverywhereOnRandomData() {
        float[] x = randomData(9);
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q8_K, GgmlType.F16}) {
            MemorySegment ref = Quantize.row(type, x, 0, N);
            for (ActivationQuantizer v : ActivationQuantizer.values()) {
                MemorySegment q = MemorySegment.ofArray(new byte[(int) type.rowBytes(N)]);
                Quantize.activationRow(type, v, x, 0, N, q, 0);
                if (type == GgmlType.Q8_K || type == GgmlType.F16 || v == ActivationQuantizer.REFERENCE) {
                    assertEquals(-1, ref.mismatch(q), type + " " + v + " is the reference quantizer");
                    continue;
                }
                float[] a = Dequantize.row(type, ref, 0, N);
                float[] b = Dequantize.row(type, q, 0, N);
                int differ = 0;
                for (int i = 0; i < N; i++) {
                    if (a[i] != b[i]) {
                        differ++;
                        int blk = i / 32;
                        float d = Half.toFloat(ref.get(LittleEndian.SHORT, (long) blk * type.bytesPerBlock()));
                        assertEquals(a[i], b[i], d * 1.0001f, "at most one quant step apart");
                    }
                }
                assertTrue(differ <= N / 100, type + " " + v + ": " + differ + " quants differ");
            }
        }
    }

    @Test
    void q8_1SumUsesTheUnroundedScale() {
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) {
            x[i] = 0.001f * 3 * (i + 1) * (i % 3 == 0 ? -1 : 1); // d = amax/127 is not representable in f16
        }
        MemorySegment q = Quantize.row(GgmlType.Q8_1, x, 0, 32);
        float amax = 0;
        for (float v : x) {
            amax = Math.max(amax, Math.abs(v));
        }
        float d = amax / 127;
        float id = 1.0f / d;
        int sum = 0;
        for (float v : x) {
            sum += (int) GgmlMath.roundf(v * id);
        }
        assertEquals(Half.fromFloat(d), q.get(LittleEndian.SHORT, 0));
        assertEquals(Half.fromFloat(sum * d), q.get(LittleEndian.SHORT, 2));
        assertTrue(Half.fromFloat(sum * d) != Half.fromFloat(sum * Half.toFloat(Half.fromFloat(d))),
                "this case tells the unrounded d from the f16 d apart");
    }

    @Test
    void q8_KUsesNearestIntTiesToEvenAndFloatScale() {
        // max = -127/128 makes iscale = -127/max = 128 exact, so iscale*x lands exactly on the ties
        float[] x = new float[256];
        x[0] = -127f / 128;
        x[1] = 2.5f / 128;   // 2.5 -> 2 (ties to even; Q8_0's roundf would give 3)
        x[2] = -2.5f / 128;  // -> -2
        x[3] = 3.5f / 128;   // -> 4
        x[4] = 0.5f / 128;   // -> 0
        x[5] = 127f / 128;   // -> 127
        x[16] = 1.5f / 128;  // second group of 16: -> 2
        x[17] = 100f / 128;  // -> 100
        MemorySegment q = Quantize.row(GgmlType.Q8_K, x, 0, 256);
        assertEquals(292, q.byteSize());
        assertEquals(1f / 128, q.get(LittleEndian.FLOAT, 0)); // d = 1/iscale, kept in f32
        byte[] qs = q.asSlice(4, 256).toArray(LittleEndian.BYTE);
        assertEquals(-127, qs[0]);
        assertEquals(2, qs[1]);
        assertEquals(-2, qs[2]);
        assertEquals(4, qs[3]);
        assertEquals(0, qs[4]);
        assertEquals(127, qs[5]);
        assertEquals(2, qs[16]);
        assertEquals(100, qs[17]);
        assertEquals(0, qs[200]);
        assertEquals(-127 + 2 - 2 + 4 + 0 + 127, q.get(LittleEndian.SHORT, 260)); // bsums[0]
        assertEquals(102, q.get(LittleEndian.SHORT, 262));                      // bsums[1]
        for (int g = 2; g < 16; g++) {
            assertEquals(0, q.get(LittleEndian.SHORT, 260 + 2 * g));
        }
        float[] y = Dequantize.row(GgmlType.Q8_K, q, 0, 256);
        assertEquals(2f / 128, y[1]);
        assertEquals(-127f / 128, y[0]);

        // an all-zero block: d = 0, zero quants and sums
        MemorySegment z = Quantize.row(GgmlType.Q8_K, new float[256], 0, 256);
        assertEquals(-1, z.mismatch(MemorySegment.ofArray(new byte[292])));
    }

    @Test
    void nearestIntIsRoundHalfEvenAndRoundfIsHalfAwayFromZero() {
        float[] in = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, -0.49999997f, 126.5f, 1e-30f, 3.7f, -3.7f};
        int[] nearest = {0, 2, 2, 0, -2, -2, 0, 0, 126, 0, 4, -4};
        float[] roundf = {1, 2, 3, -1, -2, -3, 0, -0f, 127, 0, 4, -4};
        for (int i = 0; i < in.length; i++) {
            assertEquals(nearest[i], GgmlMath.nearestInt(in[i]), "nearest_int(" + in[i] + ")");
            assertEquals(roundf[i], GgmlMath.roundf(in[i]), "roundf(" + in[i] + ")");
            assertEquals((int) Math.rint(in[i]), GgmlMath.nearestInt(in[i]));
        }
    }
}
