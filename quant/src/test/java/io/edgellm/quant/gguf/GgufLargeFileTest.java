package io.edgellm.quant.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.quant.GgmlType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files over 2 GiB: a sparse file (header written by hand, then {@code setLength}) with a tensor whose data starts
 * beyond 2^31 bytes. Sparse, so it costs no disk space or write time.
 */
class GgufLargeFileTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long BIG_ELEMENTS = (1L << 29) + 8; // F32: 2^31 + 32 bytes

    @TempDir
    Path dir;

    /** Header: 2 tensors, 1 KV; returns the data section offset. */
    private static long writeHeader(RandomAccessFile raf, long tailOffset) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufFile.MAGIC).putInt(3).putLong(2).putLong(1);
        putString(b, "general.architecture");
        b.putInt(GgufValueType.STRING.id());
        putString(b, "large-test");
        // tensor "big": F32 [2^29 + 8] at offset 0
        putString(b, "big");
        b.putInt(1).putLong(BIG_ELEMENTS).putInt(GgmlType.F32.id()).putLong(0);
        // tensor "tail": F32 [8, 2] right after "big" (offset > 2^31)
        putString(b, "tail");
        b.putInt(2).putLong(8).putLong(2).putInt(GgmlType.F32.id()).putLong(tailOffset);
        long dataOffset = Math.ceilDiv(b.position(), 32) * 32L;
        raf.write(b.array(), 0, b.position());
        return dataOffset;
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putLong(bytes.length).put(bytes);
    }

    @Test
    void readsTensorBeyondTwoGiB() throws IOException {
        Path p = dir.resolve("large.gguf");
        long tailOffset = BIG_ELEMENTS * 4; // 2^31 + 32, a multiple of 32
        long dataOffset;
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            dataOffset = writeHeader(raf, tailOffset);
            raf.setLength(dataOffset + tailOffset + 64);
            // tail values 1..16 (little-endian floats)
            ByteBuffer tail = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 1; i <= 16; i++) {
                tail.putFloat(i);
            }
            raf.seek(dataOffset + tailOffset);
            raf.write(tail.array());
            // last float of "big" = 42
            raf.seek(dataOffset + tailOffset - 4);
            raf.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(42f).array());
        }
        try (GgufFile f = GgufFile.open(p)) {
            assertTrue(f.size() > (1L << 31));
            assertEquals(dataOffset, f.dataOffset());
            GgufTensorInfo big = f.tensor("big");
            assertEquals((1L << 31) + 32, big.byteSize());
            MemorySegment bigData = f.tensorData(big);
            assertEquals(big.byteSize(), bigData.byteSize());
            assertEquals(42f, bigData.get(F32, big.byteSize() - 4));
            assertEquals(0f, bigData.get(F32, 1L << 30)); // sparse hole reads as zeros
            GgufTensorInfo tail = f.tensor("tail");
            assertTrue(tail.offset() > (1L << 31));
            assertEquals(16, tail.elementCount());
            MemorySegment t = f.tensorData(tail);
            float[] expected = new float[16];
            for (int i = 0; i < 16; i++) {
                expected[i] = i + 1;
            }
            assertArrayEquals(expected, t.toArray(F32));
        }
    }

    @Test
    void truncatedLargeFileIsRejected() throws IOException {
        Path p = dir.resolve("large-truncated.gguf");
        long tailOffset = BIG_ELEMENTS * 4;
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            long dataOffset = writeHeader(raf, tailOffset);
            raf.setLength(dataOffset + tailOffset + 63); // one byte short of "tail"
        }
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p).close());
        assertTrue(e.getMessage().contains("'tail'") && e.getMessage().contains("past the end"), e.getMessage());
    }
}
