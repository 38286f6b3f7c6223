package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.KvCacheType;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.kernel.ActivationPrecision;
import io.edgellm.testing.SharedData;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The context shift's cache operations ({@link KvCache#seqRemove}, {@link KvCache#seqAdd}, {@link KvCache#applyKShift})
 * on real models: layer 0's K row of a token depends only on the token and its position (embedding, norm, K
 * projection, RoPE), so after a shift every moved cell's layer-0 K must equal the one a fresh evaluation of the shifted
 * sequence computes at the token's new position; the kept prefix must not change at all. NORM RoPE (stories260K),
 * NEOX with partial rotary dimensions (phi2: n_rot &lt; head size), NEOX with frequency factors (phi3), and an F16 cache.
 */
class ContextShiftKvTest {
    static final int N_CTX = 32;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("models/stories260K.gguf", KvCacheType.F32, 1e-4f),
                Arguments.of("models/TinyStories-656K-Q8_0.gguf", KvCacheType.F32, 1e-3f),
                Arguments.of("golden/arch/models/synth-phi2-F32.gguf", KvCacheType.F32, 1e-4f),
                Arguments.of("golden/arch/models/synth-phi3-F32.gguf", KvCacheType.F32, 1e-4f),
                Arguments.of("golden/arch/models/synth-qwen2-F32.gguf", KvCacheType.F32, 1e-4f),
                // one extra F16 rounding of the rotated row: relative 2^-11 of the row's largest elements
                Arguments.of("models/stories260K.gguf", KvCacheType.F16, 1e-2f));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void shiftedKeysEqualFreshKeysAndPrefixIsKept(String rel, KvCacheType type, float tol) throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.path(rel))) {
            LoadedModel lm = LoadedModel.of(f);
            Transformer tr = lm.transformer();
            int vocab = lm.config().vocabSize();
            int nLayer = lm.config().blockCount();
            int kvDim = lm.config().kvDimK();
            int[] tokens = new int[N_CTX];
            tokens[0] = 1;
            for (int i = 1; i < N_CTX; i++) tokens[i] = 3 + (i * 37) % Math.min(vocab - 3, 500);
            int keep = 5;
            int nDiscard = (N_CTX - keep) / 2;
            try (Transformer.State st = tr.newState(N_CTX, 64, 2, type, ActivationPrecision.VEC_DOT_TYPE);
                 Transformer.State fresh = tr.newState(N_CTX, 64, 2, type, ActivationPrecision.VEC_DOT_TYPE)) {
                tr.forward(st, tokens, 0, N_CTX, 0, null, false);
                KvCache cache = st.cache();
                assertEquals(0, cache.freeCells());
                float[][] prefixBefore = new float[nLayer][keep * kvDim];
                for (int l = 0; l < nLayer; l++) {
                    for (int c = 0; c < keep; c++) cache.readK(l, c, prefixBefore[l], c * kvDim);
                }
                float[] movedBefore = new float[kvDim];
                cache.readK(0, N_CTX - 1, movedBefore, 0);

                cache.seqRemove(0, keep, keep + nDiscard);
                cache.seqAdd(0, keep + nDiscard, N_CTX, -nDiscard);
                assertTrue(cache.shiftPending());
                cache.applyKShift(tr.network().rope(N_CTX), lm.config().keyLength());
                assertFalse(cache.shiftPending());
                assertEquals(nDiscard, cache.freeCells());
                assertEquals(N_CTX - nDiscard - 1, cache.seqPosMax(0));

                // (3) the kept prefix: same positions, same K in every layer, bit for bit
                for (int l = 0; l < nLayer; l++) {
                    float[] now = new float[keep * kvDim];
                    for (int c = 0; c < keep; c++) cache.readK(l, c, now, c * kvDim);
                    assertArrayEquals(prefixBefore[l], now, "layer " + l + " kept K changed");
                }
                for (int c = 0; c < keep; c++) assertEquals(c, cache.cellPosition(c));
                for (int c = keep; c < keep + nDiscard; c++) assertEquals(-1, cache.cellPosition(c));

                // (1) fresh evaluation of the shifted sequence: tokens[0..keep) + tokens[keep+nDiscard..N_CTX)
                int n = N_CTX - nDiscard;
                int[] shifted = new int[n];
                System.arraycopy(tokens, 0, shifted, 0, keep);
                System.arraycopy(tokens, keep + nDiscard, shifted, keep, n - keep);
                tr.forward(fresh, shifted, 0, n, 0, null, false);
                float[] a = new float[kvDim], b = new float[kvDim];
                float maxDiff = 0, maxAbs = 0;
                for (int c = keep + nDiscard; c < N_CTX; c++) {
                    int newPos = c - nDiscard;
                    assertEquals(newPos, cache.cellPosition(c));
                    cache.readK(0, c, a, 0);
                    fresh.cache().readK(0, newPos, b, 0);      // the fresh cache is linear: cell = position
                    for (int i = 0; i < kvDim; i++) {
                        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                        maxAbs = Math.max(maxAbs, Math.abs(b[i]));
                    }
                }
                assertTrue(maxAbs > 0);
                assertTrue(maxDiff <= tol * Math.max(1f, maxAbs), rel + " " + type + ": layer-0 K of moved cells differs "
                        + "from a fresh evaluation by " + maxDiff + " (max |K| " + maxAbs + ")");
                // and the shift did rotate: the last cell's K is not what it was at its old position
                cache.readK(0, N_CTX - 1, a, 0);
                float moved = 0;
                for (int i = 0; i < kvDim; i++) moved = Math.max(moved, Math.abs(a[i] - movedBefore[i]));
                assertTrue(moved > 10 * maxDiff + 1e-6f, "K-shift changed nothing: " + moved);
            }
        }
    }
}
