package io.edgellm.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ids and block geometry match ggml.h (enum ggml_type) and ggml.c (type_traits). */
class GgmlTypeTest {

    private static void check(GgmlType t, int id, int block, int bytes) {
        assertEquals(id, t.id(), t + " id");
        assertEquals(block, t.blockSize(), t + " block size");
        assertEquals(bytes, t.bytesPerBlock(), t + " bytes per block");
        assertEquals(t, GgmlType.byId(id).orElseThrow());
    }

    @Test
    void tableMatchesGgml() {
        check(GgmlType.F32, 0, 1, 4);
        check(GgmlType.F16, 1, 1, 2);
        check(GgmlType.Q4_0, 2, 32, 2 + 16);
        check(GgmlType.Q4_1, 3, 32, 2 + 2 + 16);
        check(GgmlType.Q5_0, 6, 32, 2 + 4 + 16);
        check(GgmlType.Q5_1, 7, 32, 2 + 2 + 4 + 16);
        check(GgmlType.Q8_0, 8, 32, 2 + 32);
        check(GgmlType.Q8_1, 9, 32, 2 + 2 + 32);
        // K-quants (QK_K = 256), sizes from the block_q*_K structs in ggml-common.h
        check(GgmlType.Q2_K, 10, 256, 256 / 16 + 256 / 4 + 2 + 2);
        check(GgmlType.Q3_K, 11, 256, 256 / 8 + 256 / 4 + 12 + 2);
        check(GgmlType.Q4_K, 12, 256, 2 + 2 + 12 + 256 / 2);
        check(GgmlType.Q5_K, 13, 256, 2 + 2 + 12 + 256 / 8 + 256 / 2);
        check(GgmlType.Q6_K, 14, 256, 256 / 2 + 256 / 4 + 256 / 16 + 2);
        check(GgmlType.Q8_K, 15, 256, 4 + 256 + 2 * 256 / 16);
        check(GgmlType.I8, 24, 1, 1);
        check(GgmlType.I16, 25, 1, 2);
        check(GgmlType.I32, 26, 1, 4);
        check(GgmlType.I64, 27, 1, 8);
        check(GgmlType.F64, 28, 1, 8);
        check(GgmlType.BF16, 30, 1, 2);
        Set<Integer> ids = new HashSet<>();
        for (GgmlType t : GgmlType.values()) {
            assertTrue(ids.add(t.id()), "duplicate id " + t.id());
        }
    }

    @Test
    void removedAndUnknownIdsAreEmpty() {
        for (int id : new int[] {-1, 4, 5, 16, 23, 29, 31, 39, 200, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertTrue(GgmlType.byId(id).isEmpty(), "id " + id);
        }
    }

    @Test
    void rowBytes() {
        assertEquals(4 * 172, GgmlType.F32.rowBytes(172));
        assertEquals(2 * 172, GgmlType.F16.rowBytes(172));
        assertEquals(4 * 34, GgmlType.Q8_0.rowBytes(128));
        assertEquals(4 * 18, GgmlType.Q4_0.rowBytes(128));
        assertEquals(16 * 210, GgmlType.Q6_K.rowBytes(4096));
        assertEquals(0, GgmlType.Q4_K.rowBytes(0));
        assertEquals((1L << 40) / 32 * 34, GgmlType.Q8_0.rowBytes(1L << 40));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.Q8_0.rowBytes(172));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.Q4_K.rowBytes(128));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.F32.rowBytes(-1));
        assertThrows(ArithmeticException.class, () -> GgmlType.F64.rowBytes(Long.MAX_VALUE));
    }

    @Test
    void vecDotTypeAsLlamaCpp() {
        assertEquals(GgmlType.Q8_0, GgmlType.Q4_0.vecDotType());
        assertEquals(GgmlType.Q8_0, GgmlType.Q5_0.vecDotType());
        assertEquals(GgmlType.Q8_0, GgmlType.Q8_0.vecDotType());
        assertEquals(GgmlType.Q8_1, GgmlType.Q4_1.vecDotType());
        assertEquals(GgmlType.Q8_1, GgmlType.Q5_1.vecDotType());
        for (GgmlType k : new GgmlType[] {GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K}) {
            assertEquals(GgmlType.Q8_K, k.vecDotType(), k.name());
        }
        assertEquals(GgmlType.F16, GgmlType.F16.vecDotType());
        assertEquals(GgmlType.BF16, GgmlType.BF16.vecDotType());
        assertEquals(GgmlType.F32, GgmlType.F32.vecDotType());
    }
}
