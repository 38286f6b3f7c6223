package io.edgellm.quant.ggml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.quant.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 14, item 4: a non-finite block scale of any quantized type, or a non-finite float element, is found. */
class TensorDataCheckTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @ParameterizedTest
    @CsvSource({"Q4_0, 0, d", "Q5_0, 0, d", "Q8_0, 0, d", "Q4_1, 0, d", "Q4_1, 2, m", "Q5_1, 2, m", "Q8_1, 2, s",
            "Q2_K, 80, d", "Q2_K, 82, dmin", "Q3_K, 108, d", "Q4_K, 0, d", "Q4_K, 2, dmin", "Q5_K, 2, dmin",
            "Q6_K, 208, d", "Q8_K, 0, d", "F32, 4, ''", "F16, 2, ''", "BF16, 2, ''", "F64, 8, ''"})
    void findsANonFiniteScaleOrElement(GgmlType type, int offset, String scale) {
        int blocks = 3;
        long elements = (long) blocks * type.blockSize();
        long units = TensorDataCheck.units(type, elements);
        assertEquals(type.isQuantized() ? blocks : elements, units);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(type.rowBytes(elements));
            // finite content everywhere (0x1111 as f16, 0x11111111 as f32, ... are small finite numbers)
            for (long i = 0; i < data.byteSize(); i++) data.set(ValueLayout.JAVA_BYTE, i, (byte) 0x11);
            assertNull(TensorDataCheck.check(type, data, 0, units));
            long bad = type.isQuantized() ? type.bytesPerBlock() + offset : offset;   // block 1 / element 1
            switch (type) {
                case Q8_K, F32 -> data.set(LittleEndian.FLOAT, bad, Float.NaN);
                case F64 -> data.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, bad, Double.POSITIVE_INFINITY);
                case BF16 -> data.set(SHORT, bad, (short) 0x7F80);                   // +Inf
                default -> data.set(SHORT, bad, (short) 0x7E00);                     // f16 NaN
            }
            String d = TensorDataCheck.check(type, data, 0, units);
            if (type.isQuantized()) {
                assertTrue(d != null && d.startsWith("block 1 (elements " + type.blockSize() + " .. ")
                        && d.endsWith("scale " + scale + " = NaN"), d);
                assertNull(TensorDataCheck.check(type, data, 0, 1), "block 0 alone is fine");
                assertNull(TensorDataCheck.check(type, data, 2, 3), "block 2 alone is fine");
            } else {
                assertTrue(d != null && d.startsWith("element 1 = "), d);
            }
        }
    }
}
