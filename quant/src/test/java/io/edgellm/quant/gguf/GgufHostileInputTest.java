package io.edgellm.quant.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.quant.GgmlType;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Hand-built hostile files for defects the shared corpus does not cover. */
class GgufHostileInputTest {
    private static final Path NAME = Path.of("hostile.gguf");

    /** Little-endian GGUF byte builder. */
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u32(long v) {
            byte[] b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
            out.writeBytes(b);
            return this;
        }

        Bytes u64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.writeBytes(b);
            return this;
        }

        Bytes header(long tensors, long kvs) {
            return u32(GgufFile.MAGIC).u32(3).u64(tensors).u64(kvs);
        }

        Bytes zeros(int n) {
            out.writeBytes(new byte[n]);
            return this;
        }

        /** Tensor info: name, dims, type, offset. */
        Bytes tensor(String name, GgmlType type, long offset, long... dims) {
            str(name).u32(dims.length);
            for (long d : dims) {
                u64(d);
            }
            return u32(type.id()).u64(offset);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static GgufFormatException rejected(Bytes b, String expectedWord) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.parse(NAME,
                MemorySegment.ofArray(b.bytes()), null));
        assertTrue(e.defect().contains(expectedWord), e.getMessage());
        assertTrue(e.getMessage().startsWith(NAME + ": at byte offset " + e.offset() + ": "), e.getMessage());
        return e;
    }

    @Test
    void deeplyNestedArraysDoNotOverflowTheStack() {
        Bytes b = new Bytes().header(0, 1).str("deep").u32(GgufValueType.ARRAY.id());
        for (int i = 0; i < 100_000; i++) {
            b.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        rejected(b, "nested more than");
    }

    @Test
    void badBoolAndAlignmentValues() {
        rejected(new Bytes().header(0, 1).str("b").u32(GgufValueType.BOOL.id()).u8(2), "BOOL");
        rejected(new Bytes().header(0, 1).str(GgufFile.KEY_ALIGNMENT).u32(GgufValueType.STRING.id()).str("32"),
                "must be an integer");
        rejected(new Bytes().header(0, 1).str(GgufFile.KEY_ALIGNMENT).u32(GgufValueType.UINT32.id()).u32(0),
                "power of two");
        // a huge power-of-two alignment pushes the data section past the end of the file
        Bytes huge = new Bytes().header(1, 1).str(GgufFile.KEY_ALIGNMENT).u32(GgufValueType.UINT64.id()).u64(1L << 62)
                .tensor("t", GgmlType.F32, 0, 4).zeros(64);
        rejected(huge, "truncated");
    }

    @Test
    void badTensorShapes() {
        rejected(new Bytes().header(1, 0).tensor("t", GgmlType.F32, 0).zeros(64), "dimensions 0");
        rejected(new Bytes().header(1, 0).tensor("t", GgmlType.Q8_0, 0, 48, 2).zeros(128), "not a multiple of the block size");
        // 2^61 F64 elements: the element count fits, the byte count (2^64) does not
        rejected(new Bytes().header(1, 0).tensor("t", GgmlType.F64, 0, 1L << 61).zeros(64), "byte size");
        rejected(new Bytes().header(1, 0).tensor("t", GgmlType.F32, 1L << 63, 4).zeros(64), "above 2^63");
    }

    @Test
    void stringArrayWhoseCountFitsButWhoseStringsDoNot() {
        // 1000 strings need >= 8000 bytes; give exactly 8000 bytes of lengths, each claiming 2^40 bytes
        Bytes b = new Bytes().header(0, 1).str("tokens").u32(GgufValueType.ARRAY.id()).u32(GgufValueType.STRING.id())
                .u64(1000);
        for (int i = 0; i < 1000; i++) {
            b.u64(1L << 40);
        }
        rejected(b, "string length 1099511627776");
    }

    @Test
    void zeroTensorFileWithoutTrailingPaddingIsAccepted() throws GgufFormatException {
        // vocabulary files written by older tools end right after the metadata (no padding to the alignment)
        Bytes b = new Bytes().header(0, 1).str("general.architecture").u32(GgufValueType.STRING.id()).str("llama");
        GgufFile f = GgufFile.parse(NAME, MemorySegment.ofArray(b.bytes()), null);
        assertEquals("llama", f.getString("general.architecture"));
        assertEquals(0, f.tensors().size());
    }

    @Test
    void emptyArraysOfEveryTypeAndExactFit() throws GgufFormatException {
        Bytes b = new Bytes().header(0, GgufValueType.values().length);
        for (GgufValueType t : GgufValueType.values()) {
            b.str("a" + t.id()).u32(GgufValueType.ARRAY.id()).u32(t.id()).u64(0);
        }
        GgufFile f = GgufFile.parse(NAME, MemorySegment.ofArray(b.bytes()), null);
        for (GgufValueType t : GgufValueType.values()) {
            GgufArray a = f.findArray("a" + t.id()).orElseThrow();
            assertEquals(t, a.elementType());
            assertEquals(0, a.length());
        }
    }
}
