package io.edgellm.bench.accuracy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The base-logits file of llama-perplexity's {@code --kl-divergence-base}, byte-compatible with llama.cpp (a file
 * written here is read by {@code llama-perplexity --kl-divergence}, and the other way round).
 *
 * <p>Layout (little-endian): the 8 bytes {@code "_logits_"}; int32 {@code n_ctx}; int32 {@code n_vocab}; int32
 * {@code n_chunk}; int32 tokens[{@code n_chunk · n_ctx}] (the text's tokens, BOS first, <em>not</em> replaced by BOS
 * per chunk); then for every chunk its {@code n_ctx - 1 - n_ctx/2} scored positions, one row each of
 * {@code nv = 2·((n_vocab+1)/2) + 4} uint16: two floats {@code scale}, {@code min_log_prob} in the first four, then
 * {@code n_vocab} codes (one pad code when {@code n_vocab} is odd). Encoding of a row of logits {@code l}:
 * {@code max = max l; min = max(min l, max - 16); scale = (max - min)/65535; min_log_prob = min - max - log Σexp(l - max);
 * code[i] = l[i] > min ? round((l[i] - min)/scale) : 0}, decoded as {@code log p[i] = scale·code[i] + min_log_prob}.
 * So a row costs 2 bytes per token (a 128256-token vocabulary: 250 KiB per scored position), and every log-probability
 * more than 16 nats below the top one is floored.
 */
public final class KldBaseFile {
    /** The file's first 8 bytes. */
    public static final String MAGIC = "_logits_";
    /** Logits more than this many nats below the maximum are stored as the floor. */
    public static final float FLOOR_NATS = 16f;

    private KldBaseFile() {
    }

    /**
     * uint16 codes per row: {@code 2·((n_vocab+1)/2) + 4}.
     *
     * @param nVocab vocabulary size
     * @return codes per row, including the 4 of the two floats
     */
    public static int rowCodes(int nVocab) {
        return 2 * ((nVocab + 1) / 2) + 4;
    }

    /**
     * Scored positions per chunk: {@code n_ctx - 1 - n_ctx/2}.
     *
     * @param nCtx chunk length
     * @return rows per chunk
     */
    public static int rowsPerChunk(int nCtx) {
        return nCtx - 1 - nCtx / 2;
    }

    /**
     * Size of a file, bytes: {@code 20 + 4·n_chunk·n_ctx + 2·n_chunk·rowsPerChunk·rowCodes}.
     *
     * @param nCtx   chunk length
     * @param nVocab vocabulary size
     * @param nChunk chunks
     * @return the exact file size
     */
    public static long fileBytes(int nCtx, int nVocab, int nChunk) {
        return 20L + 4L * nChunk * nCtx + 2L * nChunk * rowsPerChunk(nCtx) * rowCodes(nVocab);
    }

    /**
     * Encodes one row of logits into {@code out} (at its position, {@link #rowCodes} uint16) as llama.cpp does and
     * returns the negative log-likelihood of {@code token} computed the way llama.cpp's base pass does
     * ({@code max + (float) log Σexp - logit[token]} in float).
     *
     * @param logits {@code n_vocab} logits
     * @param token  the next token
     * @param out    little-endian buffer receiving the row
     * @return {@code -log p(token)}, nats
     */
    static double encodeRow(float[] logits, int token, ByteBuffer out) {
        int n = logits.length;
        float max = logits[0], min = logits[0];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, logits[i]);
            min = Math.min(min, logits[i]);
        }
        min = Math.max(min, max - FLOOR_NATS);
        double sum = LogSoftmax.sumExp(logits, max);
        float logSumExp = (float) Math.log(sum);
        float minLogProb = min - max - logSumExp;
        float scale = (max - min) / 65535f;
        out.putFloat(scale);
        out.putFloat(minLogProb);
        if (scale != 0f) {
            float inv = 1f / scale;
            for (float l : logits) {
                int code = l > min ? (int) Math.rint(inv * (l - min)) : 0;
                out.putShort((short) Math.min(code, 65535));
            }
        } else {
            for (int i = 0; i < n; i++) out.putShort((short) 0);
        }
        if ((n & 1) == 1) out.putShort((short) 0);
        return max + logSumExp - logits[token];
    }

    /**
     * Writes a base file: the header and tokens at creation, then the chunks' rows in order.
     */
    public static final class Writer implements AutoCloseable {
        private final Path path;
        private final FileChannel ch;
        private final int nCtx, nVocab, nChunk;
        private final ByteBuffer row;
        private int rowsWritten;

        /**
         * Creates (or truncates) {@code path} and writes the header.
         *
         * @param path   the file
         * @param nCtx   chunk length
         * @param nVocab vocabulary size
         * @param nChunk chunks that will be written
         * @param tokens the text's tokens; the first {@code nChunk · nCtx} are stored
         * @throws IOException when the file cannot be written
         */
        public Writer(Path path, int nCtx, int nVocab, int nChunk, int[] tokens) throws IOException {
            if (nCtx < 4 || nVocab < 1 || nChunk < 1 || (long) nChunk * nCtx > tokens.length) {
                throw new IllegalArgumentException("bad KLD base shape: n_ctx " + nCtx + ", n_vocab " + nVocab
                        + ", n_chunk " + nChunk + ", " + tokens.length + " tokens");
            }
            this.path = path;
            this.nCtx = nCtx;
            this.nVocab = nVocab;
            this.nChunk = nChunk;
            this.ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            ByteBuffer h = ByteBuffer.allocate(20 + 4 * nChunk * nCtx).order(ByteOrder.LITTLE_ENDIAN);
            h.put(MAGIC.getBytes(StandardCharsets.US_ASCII)).putInt(nCtx).putInt(nVocab).putInt(nChunk);
            for (int i = 0; i < nChunk * nCtx; i++) h.putInt(tokens[i]);
            writeFully(h.flip());
            this.row = ByteBuffer.allocate(2 * rowCodes(nVocab)).order(ByteOrder.LITTLE_ENDIAN);
        }

        /**
         * Encodes and appends one scored row.
         *
         * @param logits {@code n_vocab} logits of one scored position
         * @param token  the token that follows it
         * @return the negative log-likelihood of {@code token} as llama.cpp's base pass computes it
         * @throws IOException when writing fails
         */
        public double writeRow(float[] logits, int token) throws IOException {
            if (logits.length != nVocab) {
                throw new IllegalArgumentException("row has " + logits.length + " logits, file n_vocab " + nVocab);
            }
            if (rowsWritten >= nChunk * rowsPerChunk(nCtx)) {
                throw new IllegalStateException(path + ": all " + rowsWritten + " rows already written");
            }
            row.clear();
            double nll = encodeRow(logits, token, row);
            writeFully(row.flip());
            rowsWritten++;
            return nll;
        }

        private void writeFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) ch.write(b);
        }

        /**
         * Closes the file.
         *
         * @throws IOException when closing fails, or when fewer rows were written than the header announces
         */
        @Override
        public void close() throws IOException {
            ch.close();
            int want = nChunk * rowsPerChunk(nCtx);
            if (rowsWritten != want) {
                throw new IOException(path + ": incomplete KLD base file: " + rowsWritten + " of " + want + " rows written");
            }
        }
    }

    /**
     * Reads a base file chunk by chunk. The whole file's size is checked against its header before anything is
     * allocated, so a truncated or hostile file fails with a message naming the file, the field and the offset.
     */
    public static final class Reader implements AutoCloseable {
        private final Path path;
        private final FileChannel ch;
        private final int nCtx, nVocab, nChunk;
        private final int[] tokens;
        private final int codes;

        /**
         * Opens and validates {@code path}.
         *
         * @param path a file written by {@link Writer} or by {@code llama-perplexity --kl-divergence-base}
         * @throws IOException when the file cannot be read or is not a well-formed base file
         */
        public Reader(Path path) throws IOException {
            this.path = path;
            this.ch = FileChannel.open(path, StandardOpenOption.READ);
            try {
                long size = ch.size();
                if (size < 20) throw new IOException(path + ": not a KLD base file: " + size + " bytes, header needs 20");
                ByteBuffer h = read(0, 20);
                byte[] magic = new byte[8];
                h.get(magic);
                if (!MAGIC.equals(new String(magic, StandardCharsets.ISO_8859_1))) {
                    throw new IOException(path + ": not a KLD base file: offset 0 is not \"" + MAGIC + "\"");
                }
                nCtx = h.getInt();
                nVocab = h.getInt();
                nChunk = h.getInt();
                if (nCtx < 4 || nCtx > (1 << 24)) throw new IOException(path + ": offset 8: bad n_ctx " + nCtx);
                if (nVocab < 1 || nVocab > (1 << 26)) throw new IOException(path + ": offset 12: bad n_vocab " + nVocab);
                if (nChunk < 1) throw new IOException(path + ": offset 16: bad n_chunk " + nChunk);
                long want = fileBytes(nCtx, nVocab, nChunk);
                if (size != want) {
                    throw new IOException(path + ": KLD base file has " + size + " bytes, its header (n_ctx " + nCtx
                            + ", n_vocab " + nVocab + ", n_chunk " + nChunk + ") needs " + want);
                }
                if ((long) nChunk * nCtx > Integer.MAX_VALUE / 4) throw new IOException(path + ": too many tokens");
                ByteBuffer t = read(20, 4 * nChunk * nCtx);
                tokens = new int[nChunk * nCtx];
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = t.getInt();
                    if (tokens[i] < 0 || tokens[i] >= nVocab) {
                        throw new IOException(path + ": offset " + (20 + 4L * i) + ": token id " + tokens[i]
                                + " outside [0, " + nVocab + ")");
                    }
                }
                codes = KldBaseFile.rowCodes(nVocab);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        private ByteBuffer read(long offset, int n) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                int r = ch.read(b, offset + b.position());
                if (r < 0) throw new IOException(path + ": unexpected end of file at offset " + (offset + b.position()));
            }
            return b.flip();
        }

        /** @return the chunk length the base was computed with */
        public int nCtx() {
            return nCtx;
        }

        /** @return the base model's vocabulary size */
        public int nVocab() {
            return nVocab;
        }

        /** @return chunks stored */
        public int nChunk() {
            return nChunk;
        }

        /** @return the stored tokens ({@code n_chunk · n_ctx}, a copy) */
        public int[] tokens() {
            return tokens.clone();
        }

        /**
         * Reads the rows of one chunk.
         *
         * @param chunk chunk index in {@code [0, n_chunk)}
         * @return the chunk's {@code rowsPerChunk(n_ctx)} rows of {@link #rowCodes()} little-endian uint16 each
         * @throws IOException when reading fails
         */
        public ByteBuffer chunk(int chunk) throws IOException {
            if (chunk < 0 || chunk >= nChunk) throw new IndexOutOfBoundsException("chunk " + chunk + " of " + nChunk);
            long rowBytes = 2L * codes;
            long off = 20L + 4L * nChunk * nCtx + chunk * rowsPerChunk(nCtx) * rowBytes;
            long len = rowsPerChunk(nCtx) * rowBytes;
            if (len > Integer.MAX_VALUE - 8) throw new IOException(path + ": chunk of " + len + " bytes is too large");
            return read(off, (int) len);
        }

        /** @return uint16 codes per row (including the two floats) */
        public int rowCodes() {
            return codes;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
