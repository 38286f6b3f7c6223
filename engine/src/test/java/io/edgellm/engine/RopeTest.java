package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgellm.ModelConfig;
import org.junit.jupiter.api.Test;

class RopeTest {

    @Test
    void normModeRotatesAdjacentPairs() {
        Rope r = new Rope(Rope.Mode.NORM, 4, 10000f, ModelConfig.RopeScaling.NONE, 512, null);
        float[] cos = new float[2], sin = new float[2];
        r.angles(1, cos, sin, 0);
        // pair 0: theta = 1; pair 1: theta = 10000^(-2/4) = 0.01
        assertEquals(Math.cos(1), cos[0], 1e-6);
        assertEquals(Math.sin(0.01), sin[1], 1e-7);
        float[] x = {1, 0, 1, 0, 7};
        r.rotate(x, 0, cos, sin, 0);
        assertArrayEquals(new float[] {(float) Math.cos(1), (float) Math.sin(1), (float) Math.cos(0.01), (float) Math.sin(0.01), 7}, x, 1e-6f);
    }

    @Test
    void neoxModeRotatesHalves() {
        Rope r = new Rope(Rope.Mode.NEOX, 4, 10000f, ModelConfig.RopeScaling.NONE, 512, null);
        float[] cos = new float[2], sin = new float[2];
        r.angles(1, cos, sin, 0);
        float[] x = {1, 1, 0, 0};
        r.rotate(x, 0, cos, sin, 0);
        assertArrayEquals(new float[] {(float) Math.cos(1), (float) Math.cos(0.01), (float) Math.sin(1), (float) Math.sin(0.01)}, x, 1e-6f);
    }

    @Test
    void positionZeroIsIdentityAndLinearScalingDividesPositions() {
        ModelConfig.RopeScaling linear = new ModelConfig.RopeScaling(ModelConfig.RopeScaling.Type.LINEAR, 4f, 0, 1, 4, 32, 1, 1);
        Rope scaled = new Rope(Rope.Mode.NORM, 8, 10000f, linear, 512, null);
        Rope plain = new Rope(Rope.Mode.NORM, 8, 10000f, ModelConfig.RopeScaling.NONE, 512, null);
        float[] c1 = new float[4], s1 = new float[4], c2 = new float[4], s2 = new float[4];
        scaled.angles(8, c1, s1, 0);
        plain.angles(2, c2, s2, 0);
        assertArrayEquals(c2, c1, 1e-6f);
        assertArrayEquals(s2, s1, 1e-6f);
        plain.angles(0, c2, s2, 0);
        assertArrayEquals(new float[] {1, 1, 1, 1}, c2);
        assertArrayEquals(new float[] {0, 0, 0, 0}, s2);
    }

    /** Llama 3.1 (theta 500000, factor 8, low 1, high 4, original 8192, head 128): values from Meta's reference formula. */
    @Test
    void llama3FreqFactors() {
        float[] f = Rope.llama3FreqFactors(128, 500000f, 8f, 1f, 4f, 8192);
        assertEquals(64, f.length);
        assertEquals(1f, f[0]);          // short wavelengths unchanged
        assertEquals(8f, f[63]);         // long wavelengths scaled by the factor
        for (int i = 1; i < 64; i++) {
            assertEquals(true, f[i] >= f[i - 1], "monotone");
        }
        // the band in between is a smooth blend: at least one value strictly between 1 and 8
        boolean blended = false;
        for (float v : f) blended |= v > 1f && v < 8f;
        assertEquals(true, blended);
        // freq factors divide theta: with all factors 2, position 2 looks like position 1
        float[] two = new float[4];
        java.util.Arrays.fill(two, 2f);
        Rope withFf = new Rope(Rope.Mode.NORM, 8, 10000f, ModelConfig.RopeScaling.NONE, 512, two);
        Rope plain = new Rope(Rope.Mode.NORM, 8, 10000f, ModelConfig.RopeScaling.NONE, 512, null);
        float[] c1 = new float[4], s1 = new float[4], c2 = new float[4], s2 = new float[4];
        withFf.angles(2, c1, s1, 0);
        plain.angles(1, c2, s2, 0);
        assertArrayEquals(c2, c1, 1e-6f);
    }

    /**
     * The K-shift's premise: for every scaling kind (none, linear, YaRN with its magnitude factor, Llama 3 divisors) and
     * both pairings, rotating a key of position p by {@link Rope#shiftAngles}(delta) gives the key of position
     * p + delta, delta negative or positive, with partial rotary dimensions (n_rot 12 of a head of 16) left alone.
     */
    @Test
    void shiftByDeltaComposesWithPosition() {
        ModelConfig.RopeScaling yarn = new ModelConfig.RopeScaling(ModelConfig.RopeScaling.Type.YARN, 4f, 256, 1, 4, 32, 1, 1.25f);
        ModelConfig.RopeScaling linear = new ModelConfig.RopeScaling(ModelConfig.RopeScaling.Type.LINEAR, 2f, 0, 1, 4, 32, 1, 1);
        float[] llama3 = Rope.llama3FreqFactors(12, 500000f, 8f, 1f, 4f, 64);
        java.util.Random rnd = new java.util.Random(7);
        for (Rope.Mode mode : Rope.Mode.values()) {
            Rope[] ropes = {
                    new Rope(mode, 12, 10000f, ModelConfig.RopeScaling.NONE, 512, null),
                    new Rope(mode, 12, 10000f, linear, 512, null),
                    new Rope(mode, 12, 10000f, yarn, 256, null),
                    new Rope(mode, 12, 500000f, ModelConfig.RopeScaling.NONE, 512, llama3)};
            for (Rope r : ropes) {
                for (int[] pd : new int[][] {{40, -15}, {1000, -499}, {3, 7}, {2047, -1024}}) {
                    int p = pd[0], d = pd[1];
                    float[] x = new float[16];
                    for (int i = 0; i < 16; i++) x[i] = (float) rnd.nextGaussian();
                    float[] shifted = x.clone(), direct = x.clone();
                    float[] c = new float[6], sn = new float[6];
                    r.angles(p, c, sn, 0);
                    r.rotate(shifted, 0, c, sn, 0);
                    r.shiftAngles(d, c, sn, 0);
                    r.rotate(shifted, 0, c, sn, 0);
                    r.angles(p + d, c, sn, 0);
                    r.rotate(direct, 0, c, sn, 0);
                    assertArrayEquals(direct, shifted, 2e-3f, mode + " p " + p + " delta " + d);
                    for (int i = 12; i < 16; i++) assertEquals(x[i], shifted[i]);   // beyond n_rot: untouched
                }
            }
        }
    }
}
