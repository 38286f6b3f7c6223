package io.edgellm.engine;

import io.edgellm.KvCacheType;

/**
 * Per-session key/value cache: for each layer, K and V rows for positions {@code 0 .. nCtx-1}.
 * <pre>
 *   layer l, K:  [nCtx][kvDimK]   row p = the (RoPE-rotated) keys of all KV heads at position p
 *   layer l, V:  [nCtx][kvDimV]   row p = the values of all KV heads at position p
 *   head h of row p starts at h * headSize
 * </pre>
 * F32 keeps floats; F16 stores IEEE half bits in {@code short[]} ({@link Float#floatToFloat16}, round to nearest even),
 * like llama.cpp's {@code -ctk f16 -ctv f16}. Not thread-safe for writes; concurrent reads of written rows are fine.
 */
public final class KvCache {
    private final KvCacheType type;
    private final int nCtx;
    private final int kvDimK;
    private final int kvDimV;
    private final float[][] kF32;
    private final float[][] vF32;
    private final short[][] kF16;
    private final short[][] vF16;

    /**
     * Allocates the cache (zeroed).
     *
     * @param type   element type
     * @param nLayer layers
     * @param nCtx   positions (n_ctx)
     * @param kvDimK elements of one K row ({@code n_head_kv * head_k})
     * @param kvDimV elements of one V row ({@code n_head_kv * head_v})
     * @throws IllegalArgumentException when one layer's cache does not fit in a Java array, or the whole cache does not
     *                                  fit in the Java heap that is left ({@link Runtime#maxMemory()} minus what is in
     *                                  use): checked before anything is allocated, so a huge {@code n_ctx} fails at once
     * @throws OutOfMemoryError         when the allocation fails anyway; its message names the KV cache and its size
     */
    public KvCache(KvCacheType type, int nLayer, int nCtx, int kvDimK, int kvDimV) {
        long perLayer = (long) nCtx * Math.max(kvDimK, kvDimV);
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV cache of " + nCtx + " x " + Math.max(kvDimK, kvDimV)
                    + " elements per layer is too large for one Java array; use a smaller context");
        }
        long need = (long) nLayer * nCtx * ((long) kvDimK + kvDimV) * type.bytesPerElement();
        checkHeap(need, nCtx, type);
        this.type = type;
        this.nCtx = nCtx;
        this.kvDimK = kvDimK;
        this.kvDimV = kvDimV;
        try {
            if (type == KvCacheType.F32) {
                kF32 = new float[nLayer][nCtx * kvDimK];
                vF32 = new float[nLayer][nCtx * kvDimV];
                kF16 = null;
                vF16 = null;
            } else {
                kF16 = new short[nLayer][nCtx * kvDimK];
                vF16 = new short[nLayer][nCtx * kvDimV];
                kF32 = null;
                vF32 = null;
            }
        } catch (OutOfMemoryError e) {
            OutOfMemoryError named = new OutOfMemoryError(describe(need, nCtx, type) + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    private static String describe(long bytes, int nCtx, KvCacheType type) {
        return "KV cache of n_ctx " + nCtx + " (" + type.name().toLowerCase(java.util.Locale.ROOT) + ", "
                + mib(bytes) + ")";
    }

    private static String mib(long bytes) {
        return bytes >= 10L << 30 ? (bytes >> 30) + " GiB" : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Fails before allocating when {@code bytes} cannot fit in the heap that is left. */
    private static void checkHeap(long bytes, int nCtx, KvCacheType type) {
        Runtime rt = Runtime.getRuntime();
        long max = rt.maxMemory();
        if (max == Long.MAX_VALUE) {
            return;                                            // no limit known
        }
        long available = max - (rt.totalMemory() - rt.freeMemory());
        if (bytes > available) {
            throw new IllegalArgumentException(describe(bytes, nCtx, type) + " does not fit in the Java heap ("
                    + mib(available) + " free of " + mib(max) + " max); use a smaller context (-c) or a larger heap"
                    + " (-Xmx; for the CLI EDGELLM_JAVA_OPTS=-Xmx...)");
        }
    }

    /**
     * Bytes held by the cache.
     *
     * @param nLayer layers (as allocated)
     * @return {@code nLayer * nCtx * (kvDimK + kvDimV) * bytesPerElement}
     */
    public long bytes(int nLayer) {
        return (long) nLayer * nCtx * (kvDimK + kvDimV) * type.bytesPerElement();
    }

    /**
     * Returns the number of positions.
     *
     * @return positions (n_ctx)
     */
    public int contextLength() {
        return nCtx;
    }

    /**
     * Returns the element type.
     *
     * @return the element type
     */
    public KvCacheType type() {
        return type;
    }

    /**
     * Stores the K and V rows of one position.
     *
     * @param layer layer index
     * @param pos   position
     * @param k     source of the K row ({@code kvDimK} floats at {@code kOff})
     * @param kOff  offset in k
     * @param v     source of the V row ({@code kvDimV} floats at {@code vOff})
     * @param vOff  offset in v
     */
    public void put(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        if (kF32 != null) {
            System.arraycopy(k, kOff, kF32[layer], pos * kvDimK, kvDimK);
            System.arraycopy(v, vOff, vF32[layer], pos * kvDimV, kvDimV);
        } else {
            short[] kc = kF16[layer], vc = vF16[layer];
            int kb = pos * kvDimK, vb = pos * kvDimV;
            for (int i = 0; i < kvDimK; i++) kc[kb + i] = Float.floatToFloat16(k[kOff + i]);
            for (int i = 0; i < kvDimV; i++) vc[vb + i] = Float.floatToFloat16(v[vOff + i]);
        }
    }

    /**
     * Attention scores {@code att[j] = scale * q·K[j][head]} for positions {@code j = 0 .. n-1}.
     *
     * @param layer    layer index
     * @param kvHead   KV head index
     * @param headSize elements per head
     * @param q        query vector ({@code headSize} floats at {@code qOff})
     * @param qOff     offset in q
     * @param scale    {@code 1/sqrt(head_k)}
     * @param att      destination, at least n floats
     * @param n        positions to score
     */
    public void scores(int layer, int kvHead, int headSize, float[] q, int qOff, float scale, float[] att, int n) {
        int hOff = kvHead * headSize;
        if (kF32 != null) {
            float[] kc = kF32[layer];
            for (int j = 0; j < n; j++) {
                att[j] = VectorMath.dot(q, qOff, kc, j * kvDimK + hOff, headSize) * scale;
            }
        } else {
            short[] kc = kF16[layer];
            for (int j = 0; j < n; j++) {
                int base = j * kvDimK + hOff;
                float s = 0;
                // like ggml's mul_mat with an F16 K cache: q is rounded to F16 (vec_dot_type) before the dot
                for (int d = 0; d < headSize; d++) {
                    s += Float.float16ToFloat(Float.floatToFloat16(q[qOff + d])) * Float.float16ToFloat(kc[base + d]);
                }
                att[j] = s * scale;
            }
        }
    }

    /**
     * {@link #scores} and {@link #weightedValues} in llama.cpp's x86 order ({@link LlamaCppX86Math}); F32 cache only
     * (an F16 cache uses the plain methods).
     *
     * @param layer    layer index
     * @param kvHead   KV head index
     * @param headSize elements per head (keys and values)
     * @param q        query vector at {@code qOff}
     * @param qOff     offset in q
     * @param scale    {@code 1/sqrt(head_k)}
     * @param att      scratch, at least n floats
     * @param n        positions
     * @param out      destination ({@code headSize} floats at {@code outOff})
     * @param outOff   offset in out
     */
    public void attendLlamaCppX86(int layer, int kvHead, int headSize, float[] q, int qOff, float scale, float[] att,
                                  int n, float[] out, int outOff) {
        if (kF32 == null) {
            scores(layer, kvHead, headSize, q, qOff, scale, att, n);
            Ops.softmax(att, 0, n);
            weightedValues(layer, kvHead, headSize, att, n, out, outOff);
            return;
        }
        float[] kc = kF32[layer], vc = vF32[layer];
        int hOff = kvHead * headSize;
        for (int j = 0; j < n; j++) {
            att[j] = LlamaCppX86Math.dotF32(kc, j * kvDimK + hOff, q, qOff, headSize) * scale;
        }
        LlamaCppX86Math.softmax(att, n);
        for (int d = 0; d < headSize; d++) {
            out[outOff + d] = LlamaCppX86Math.weightedSum(att, n, vc, hOff + d, kvDimV);
        }
    }

    /**
     * Weighted sum of values: {@code out[d] = sum_j att[j] * V[j][head][d]} for {@code j < n}, {@code d < headSize}.
     *
     * @param layer    layer index
     * @param kvHead   KV head index
     * @param headSize elements per head
     * @param att      attention probabilities, n floats
     * @param n        positions
     * @param out      destination ({@code headSize} floats at {@code outOff}, overwritten)
     * @param outOff   offset in out
     */
    public void weightedValues(int layer, int kvHead, int headSize, float[] att, int n, float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + headSize, 0f);
        int hOff = kvHead * headSize;
        if (vF32 != null) {
            float[] vc = vF32[layer];
            for (int j = 0; j < n; j++) {
                VectorMath.axpy(att[j], vc, j * kvDimV + hOff, out, outOff, headSize);
            }
        } else {
            short[] vc = vF16[layer];
            for (int j = 0; j < n; j++) {
                float a = Float.float16ToFloat(Float.floatToFloat16(att[j])); // probabilities rounded to F16 likewise
                int base = j * kvDimV + hOff;
                for (int d = 0; d < headSize; d++) out[outOff + d] += a * Float.float16ToFloat(vc[base + d]);
            }
        }
    }
}
