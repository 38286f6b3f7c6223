package io.edgellm.bench.accuracy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The base-logits file: layout, 16-bit round trip, 16-nat floor, and rejection of malformed files. */
class KldBaseFileTest {

    @Test
    void rowRoundTripsWithin16BitStepAndFloorsBelow16Nats() {
        float[] logits = new float[7];
        Random r = new Random(1);
        for (int i = 0; i < logits.length; i++) logits[i] = r.nextFloat() * 10 - 5;
        logits[3] = -40; // far below the top: floored
        ByteBuffer b = ByteBuffer.allocate(2 * KldBaseFile.rowCodes(7)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(7 + 1 + 4, KldBaseFile.rowCodes(7)); // odd vocabulary: one pad code
        double nll = KldBaseFile.encodeRow(logits, 2, b);
        assertEquals(LogSoftmax.nll(logits, 2), nll, 1e-5);
        assertEquals(b.capacity(), b.position());
        float scale = b.getFloat(0), minLogProb = b.getFloat(4);
        float max = LogSoftmax.max(logits);
        double lse = Math.log(LogSoftmax.sumExp(logits, max));
        for (int i = 0; i < logits.length; i++) {
            double decoded = scale * Short.toUnsignedInt(b.getShort(8 + 2 * i)) + minLogProb;
            double exact = logits[i] - max - lse;
            if (i == 3) assertEquals(minLogProb, decoded, 1e-6);
            else assertEquals(exact, decoded, scale, "token " + i);
        }
        assertEquals(-16 - lse, minLogProb, 1e-5);
    }

    @Test
    void writesLlamaCppLayoutAndReadsItBack(@TempDir Path dir) throws IOException {
        int nCtx = 8, nVocab = 5, nChunk = 2;
        int[] tokens = {1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2};
        Path f = dir.resolve("b.kld");
        try (KldBaseFile.Writer w = new KldBaseFile.Writer(f, nCtx, nVocab, nChunk, tokens)) {
            for (int i = 0; i < nChunk * KldBaseFile.rowsPerChunk(nCtx); i++) w.writeRow(new float[] {1, 2, 3, 4, i}, 1);
        }
        assertEquals(KldBaseFile.fileBytes(nCtx, nVocab, nChunk), Files.size(f));
        byte[] head = Arrays.copyOf(Files.readAllBytes(f), 8);
        assertEquals("_logits_", new String(head));
        try (KldBaseFile.Reader rd = new KldBaseFile.Reader(f)) {
            assertEquals(nCtx, rd.nCtx());
            assertEquals(nVocab, rd.nVocab());
            assertEquals(nChunk, rd.nChunk());
            assertArrayEquals(Arrays.copyOf(tokens, 16), rd.tokens());
            assertEquals(3 * 2 * KldBaseFile.rowCodes(nVocab), rd.chunk(1).remaining());
        }
    }

    @Test
    void rejectsMalformedFilesNamingTheDefect(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.kld");
        Files.write(f, "not a kld file at all....".getBytes());
        IOException e = assertThrows(IOException.class, () -> new KldBaseFile.Reader(f));
        assertTrue(e.getMessage().contains("offset 0"), e.getMessage());

        ByteBuffer b = ByteBuffer.allocate(20 + 4 * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put("_logits_".getBytes()).putInt(8).putInt(1_000_000).putInt(1_000_000); // hostile sizes, tiny file
        Files.write(f, b.array());
        e = assertThrows(IOException.class, () -> new KldBaseFile.Reader(f));
        assertTrue(e.getMessage().contains("needs"), e.getMessage());

        Files.write(f, new byte[5]);
        assertThrows(IOException.class, () -> new KldBaseFile.Reader(f));
    }

    @Test
    void incompleteWriterFailsOnClose(@TempDir Path dir) throws IOException {
        KldBaseFile.Writer w = new KldBaseFile.Writer(dir.resolve("i.kld"), 8, 3, 1, new int[8]);
        w.writeRow(new float[] {0, 1, 2}, 0);
        IOException e = assertThrows(IOException.class, w::close);
        assertTrue(e.getMessage().contains("1 of 3 rows"), e.getMessage());
    }
}
