package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Half;
import io.edgellm.quant.ggml.LittleEndian;
import io.edgellm.quant.ggml.Quantize;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ActivationQuantizerTest {

    static MemorySegment quantize(ActivationQuantizer q, GgmlType t, float[] x) {
        MemorySegment s = MemorySegment.ofArray(new byte[(int) t.rowBytes(x.length)]);
        q.quantizeRow(t, x, 0, x.length, s, 0);
        return s;
    }

    @Test
    void referenceIsTheGgmlReferenceCodec() {
        Random rnd = new Random(1);
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q8_1}) {
            float[] x = new float[256];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            assertEquals(-1, quantize(ActivationQuantizer.GGML_REFERENCE, t, x)
                    .mismatch(Quantize.row(t, x, 0, x.length)), t.toString());
        }
    }

    @Test
    void llamaCppVariantsRoundHalfToEven() {
        // amax = 127 -> d = 1, id = 1 in all variants: x*id is exact, so only the tie rule matters
        float[] x = new float[32];
        x[0] = 127f;
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 3.5f;
        x[4] = 0.5f;
        x[5] = -1.4f;
        MemorySegment ref = quantize(ActivationQuantizer.GGML_REFERENCE, GgmlType.Q8_0, x);
        assertArrayEquals(new byte[] {127, 3, -3, 4, 1, -1}, ref.asSlice(2, 6).toArray(LittleEndian.BYTE));
        for (ActivationQuantizer q : new ActivationQuantizer[] {ActivationQuantizer.LLAMA_CPP_X86, ActivationQuantizer.LLAMA_CPP_ARM}) {
            MemorySegment s = quantize(q, GgmlType.Q8_0, x);
            assertEquals(Half.fromFloat(1f), s.get(LittleEndian.SHORT, 0), q.toString());
            assertArrayEquals(new byte[] {127, 2, -2, 4, 0, -1}, s.asSlice(2, 6).toArray(LittleEndian.BYTE), q.toString());
        }
    }

    @Test
    void x86UsesReciprocalOfAmaxAndQ8_1CarriesTheSum() {
        Random rnd = new Random(2);
        int differences = 0;
        for (int trial = 0; trial < 200; trial++) {
            float[] x = new float[32];
            for (int i = 0; i < 32; i++) {
                x[i] = (float) rnd.nextGaussian() * 3f;
            }
            float amax = 0;
            for (float v : x) {
                amax = Math.max(amax, Math.abs(v));
            }
            float id = 127f / amax;
            MemorySegment s = quantize(ActivationQuantizer.LLAMA_CPP_X86, GgmlType.Q8_1, x);
            int sum = 0;
            for (int i = 0; i < 32; i++) {
                int q = (int) Math.rint(x[i] * id);
                assertEquals(q, s.get(LittleEndian.BYTE, 4 + i));
                sum += q;
            }
            float d = amax / 127f;
            assertEquals(Half.fromFloat(d), s.get(LittleEndian.SHORT, 0));
            assertEquals(Half.fromFloat(d * sum), s.get(LittleEndian.SHORT, 2));
            MemorySegment arm = quantize(ActivationQuantizer.LLAMA_CPP_ARM, GgmlType.Q8_1, x);
            differences += arm.mismatch(s) >= 0 ? 1 : 0;
        }
        assertTrue(differences >= 0);   // 127/amax and 1/(amax/127) may round differently; both are exercised
        assertThrows(IllegalArgumentException.class,
                () -> ActivationQuantizer.LLAMA_CPP_X86.quantizeRow(GgmlType.Q8_K, new float[256], 0, 256,
                        MemorySegment.ofArray(new byte[292]), 0));
    }

    @Test
    void platformDefaultFollowsOsArch() {
        String arch = System.getProperty("os.arch");
        ActivationQuantizer q = ActivationQuantizer.forThisPlatform();
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            assertEquals(ActivationQuantizer.LLAMA_CPP_X86, q);
        } else if (arch.equals("aarch64")) {
            assertEquals(ActivationQuantizer.LLAMA_CPP_ARM, q);
        }
    }
}
