package io.edgellm.bench.synth;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Quantize;
import io.edgellm.quant.gguf.GgufArray;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufWriter;
import io.edgellm.quant.gguf.TensorContent;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Writes a GGUF with the exact shape and metadata of a known model ({@link ModelPreset}) and random weights: for
 * measuring speed and energy at real sizes without downloading the real weights (the output is gibberish, the work per
 * token is the same).
 *
 * <p>Tensors are generated and quantized row by row while {@link GgufWriter} streams the file
 * ({@link GgufWriter#addTensor(String, GgmlType, long[], TensorContent)}), so an 8B model needs only a few MB of heap.
 * Every row gets its own random stream seeded from (seed, tensor, row): the file is the same for a given seed whatever
 * the number of threads. Values are N(0, 0.02²) like a freshly initialised (and roughly like a trained) Llama, norm
 * weights are 1, so the forward pass stays finite.
 *
 * <pre>
 * tensor (ggml dims [ne0, ne1])       type
 * token_embd.weight   [dim, vocab]    --type
 * rope_freqs.weight   [headDim/2]     F32   (Llama 3.x only: RoPE scaling factors)
 * output_norm.weight  [dim]           F32
 * output.weight       [dim, vocab]    --type (absent when the embeddings are tied)
 * blk.N.attn_norm.weight  [dim]       F32
 * blk.N.attn_q.weight     [dim, heads·headDim]     blk.N.attn_k/v.weight [dim, kvHeads·headDim]
 * blk.N.attn_output.weight[heads·headDim, dim]
 * blk.N.ffn_norm.weight   [dim]       F32
 * blk.N.ffn_gate/up.weight[dim, ffn]  blk.N.ffn_down.weight [ffn, dim]
 * </pre>
 * That is the llama layout; the other families ({@link ModelPreset.Family}) differ as llama.cpp's converter writes
 * them (and as {@code io.edgellm.engine.arch} binds them):
 * <ul>
 *   <li>llama with experts (Mixtral): {@code ffn_gate_inp.weight [dim, n_expert]} (F32), {@code ffn_gate_exps /
 *       ffn_up_exps [dim, ffn, n_expert]}, {@code ffn_down_exps [ffn, dim, n_expert]} instead of the dense FFN;</li>
 *   <li>qwen2: {@code attn_q/k/v.bias} (F32);</li>
 *   <li>phi2: LayerNorm {@code attn_norm.weight/bias} (no {@code ffn_norm}), fused {@code attn_qkv [dim, q+2kv]}
 *       + bias, biases on {@code attn_output}, {@code ffn_up}, {@code ffn_down}, {@code output}; {@code output_norm.bias};
 *       no {@code ffn_gate};</li>
 *   <li>phi3: fused {@code attn_qkv [dim, q+2kv]} and {@code ffn_up [dim, 2·ffn]} (gate rows first), no biases;</li>
 *   <li>gemma: q/k/v/o of {@code heads·head_dim} with {@code attention.key_length/value_length};</li>
 *   <li>gemma2: plus {@code post_attention_norm} and {@code post_ffw_norm}.</li>
 * </ul>
 * Linear biases are N(0, 0.02²) like the weights, LayerNorm biases 0.
 */
public final class SyntheticModel {

    /** The weight types the quantizer can write. */
    public static final Set<GgmlType> SUPPORTED_TYPES = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16,
            GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1);

    /** Standard deviation of the random weights. */
    public static final double WEIGHT_STD = 0.02;

    private SyntheticModel() {
    }

    /** llama.cpp's {@code general.file_type} ({@code enum llama_ftype}) for a whole-model weight type. */
    static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("no synthetic models in " + t);
        };
    }

    /**
     * Writes the model.
     *
     * @param preset shape and hyperparameters
     * @param type   type of the 2-D weights (one of {@link #SUPPORTED_TYPES}); norms and rope factors stay F32
     * @param out    the GGUF to write (replaced)
     * @param vocab  a vocabulary GGUF whose {@code tokenizer.*} keys are copied (the model's vocab size becomes its
     *               token count), or null for a synthetic SentencePiece vocabulary of {@code preset.vocab()} tokens
     * @param seed   random seed
     * @return the preset actually written (vocab size from the vocab file)
     */
    public static ModelPreset write(ModelPreset preset, GgmlType type, Path out, Path vocab, long seed) throws IOException {
        return write(preset, type, out, vocab, seed, io.edgellm.engine.Progress.NONE);
    }

    /**
     * {@link #write(ModelPreset, GgmlType, Path, Path, long)} reporting tensors and bytes written to {@code progress}
     * (at every 64 KiB and after every tensor).
     *
     * @param preset   the model shape
     * @param type     type of the 2-D weights
     * @param out      the GGUF to write (replaced)
     * @param vocab    a vocabulary GGUF, or null
     * @param seed     random seed
     * @param progress receives the progress of the tensor data
     * @return the preset actually written
     * @throws IOException when writing fails
     */
    public static ModelPreset write(ModelPreset preset, GgmlType type, Path out, Path vocab, long seed,
                                    io.edgellm.engine.Progress progress) throws IOException {
        if (!SUPPORTED_TYPES.contains(type)) {
            throw new IllegalArgumentException("type " + type + " not supported for synthetic models; use one of "
                    + SUPPORTED_TYPES);
        }
        GgufWriter w = new GgufWriter();
        ModelPreset p = preset;
        String arch = preset.architecture();
        w.putString("general.architecture", arch);
        w.putString("general.name", preset.name() + " synthetic (random weights, shape of " + preset.hfName() + ")");
        w.putUInt32("general.file_type", fileType(type));
        w.putUInt32("general.quantization_version", 2);
        w.putUInt64("edgellm.synth.seed", seed);
        if (vocab != null) {
            try (GgufFile v = GgufFile.open(vocab)) {
                String[] tokens = v.getStringArray("tokenizer.ggml.tokens");
                int pad = 0;
                if (tokens.length < preset.vocab() && vocab.getFileName().toString().equals(preset.vocabHint())) {
                    pad = preset.vocab() - tokens.length;      // the preset's own stand-in: keep the real row count
                } else if (tokens.length != preset.vocab()) {
                    p = preset.withVocab(tokens.length);
                }
                for (Map.Entry<String, Object> e : v.metadata().entrySet()) {
                    if (e.getKey().startsWith("tokenizer.")) {
                        Object value = pad > 0 ? padded(e.getKey(), e.getValue(), tokens.length, pad) : e.getValue();
                        w.put(e.getKey(), v.typeOf(e.getKey()).orElseThrow(), value);
                    }
                }
            }
        } else {
            putSyntheticVocab(w, preset.vocab());
        }
        ModelPreset.Family f = p.family();
        w.putUInt32(arch + ".context_length", p.contextLength());
        if (arch.equals("phi3")) {
            w.putUInt32(arch + ".rope.scaling.original_context_length", p.contextLength());
        }
        w.putUInt32(arch + ".embedding_length", p.dim());
        w.putUInt32(arch + ".block_count", p.layers());
        w.putUInt32(arch + ".feed_forward_length", p.ffn());
        w.putUInt32(arch + ".attention.head_count", p.heads());
        w.putUInt32(arch + ".attention.head_count_kv", p.kvHeads());
        if (f.headDim() > 0) {
            w.putUInt32(arch + ".attention.key_length", f.headDim());
            w.putUInt32(arch + ".attention.value_length", f.headDim());
        }
        w.putUInt32(arch + ".rope.dimension_count", p.ropeDims());
        w.putFloat32(arch + ".rope.freq_base", p.ropeTheta());
        w.putFloat32(arch + (arch.equals("phi2") ? ".attention.layer_norm_epsilon"
                : ".attention.layer_norm_rms_epsilon"), p.rmsEps());
        if (f.experts() > 0) {
            w.putUInt32(arch + ".expert_count", f.experts());
            w.putUInt32(arch + ".expert_used_count", f.expertsUsed());
        }
        if (f.slidingWindow() > 0) {
            w.putUInt32(arch + ".attention.sliding_window", f.slidingWindow());
        }
        if (f.attnSoftcap() > 0) {
            w.putFloat32(arch + ".attn_logit_softcapping", f.attnSoftcap());
        }
        if (f.finalSoftcap() > 0) {
            w.putFloat32(arch + ".final_logit_softcapping", f.finalSoftcap());
        }
        w.putUInt32(arch + ".vocab_size", p.vocab());

        int hd = p.headDim();
        List<TensorSpec> plan = plan(p, type);
        long bytesTotal = 0;
        for (TensorSpec ts : plan) {
            long rows = 1;
            for (int d = 1; d < ts.dims().length; d++) rows *= ts.dims()[d];
            bytesTotal += ts.type().rowBytes(ts.dims()[0]) * rows;
        }
        final long total = bytesTotal;
        final int nTensors = plan.size();
        long[] done = {0, 0}; // bytes, tensors
        for (int i = 0; i < plan.size(); i++) {
            String name = plan.get(i).name();
            GgmlType t = plan.get(i).type();
            long[] dims = plan.get(i).dims();
            TensorContent content;
            if (name.equals("rope_freqs.weight")) {
                content = constant(ModelPreset.ropeFactors(p.ropeScaling(), hd, p.ropeTheta()));
            } else if (name.endsWith("norm.weight")) {
                float[] ones = new float[(int) dims[0]];
                java.util.Arrays.fill(ones, 1f);
                content = constant(ones);
            } else if (name.endsWith("norm.bias")) {
                content = constant(new float[(int) dims[0]]);
            } else {
                long rows = 1;
                for (int d = 1; d < dims.length; d++) {
                    rows *= dims[d];
                }
                content = random(t, (int) dims[0], Math.toIntExact(rows), seed, i);
            }
            TensorContent inner = content;
            w.addTensor(name, t, dims, os -> {
                inner.writeTo(new java.io.FilterOutputStream(os) {
                    private long sinceReport;

                    @Override
                    public void write(int b) throws IOException {
                        out.write(b);
                        count(1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                        count(len);
                    }

                    private void count(int n) {
                        done[0] += n;
                        sinceReport += n;
                        if (sinceReport >= 1 << 16) {
                            sinceReport = 0;
                            progress.update((int) done[1], nTensors, done[0], total);
                        }
                    }
                });
                progress.update((int) ++done[1], nTensors, done[0], total);
            });
        }
        w.write(out);
        return p;
    }

    /**
     * A per-token tokenizer array extended by {@code pad} entries the way llama.cpp's converter fills a tokenizer up
     * to {@code vocab_size}: token {@code [PAD<id>]}, type UNUSED (5), score -1000. Other keys are returned unchanged.
     */
    static Object padded(String key, Object value, int nTokens, int pad) {
        if (!(value instanceof GgufArray arr) || arr.length() != nTokens) {
            return value;
        }
        Object vals = arr.values();
        Object out;
        switch (key) {
            case "tokenizer.ggml.tokens" -> {
                String[] t = java.util.Arrays.copyOf((String[]) vals, nTokens + pad);
                for (int i = nTokens; i < t.length; i++) {
                    t[i] = "[PAD" + i + "]";
                }
                out = t;
            }
            case "tokenizer.ggml.token_type" -> {
                int[] t = java.util.Arrays.copyOf((int[]) vals, nTokens + pad);
                java.util.Arrays.fill(t, nTokens, t.length, 5);
                out = t;
            }
            case "tokenizer.ggml.scores" -> {
                float[] t = java.util.Arrays.copyOf((float[]) vals, nTokens + pad);
                java.util.Arrays.fill(t, nTokens, t.length, -1000f);
                out = t;
            }
            default -> {
                return value;
            }
        }
        return new GgufArray(arr.elementType(), out);
    }

    /**
     * One tensor of the file.
     *
     * @param name tensor name ({@code blk.0.attn_q.weight})
     * @param type ggml type
     * @param dims ggml dims, ne0 (the row length) first
     */
    public record TensorSpec(String name, GgmlType type, long[] dims) {
        /** Bytes of the tensor data. */
        public long bytes() {
            long rows = 1;
            for (int i = 1; i < dims.length; i++) {
                rows *= dims[i];
            }
            return type.rowBytes(dims[0]) * rows;
        }
    }

    /**
     * The tensors of a synthetic model, in file order (see the table in the class comment): 2-D and 3-D weights in
     * {@code type}, 1-D tensors (norms, biases) and the MoE router {@code ffn_gate_inp} in F32 as llama.cpp keeps them.
     */
    public static List<TensorSpec> plan(ModelPreset p, GgmlType type) {
        String arch = p.architecture();
        long d = p.dim();
        long q = (long) p.heads() * p.headDim();
        long kv = (long) p.kvHeads() * p.headDim();
        long ff = p.ffn();
        boolean phi2 = arch.equals("phi2");
        List<TensorSpec> plan = new ArrayList<>();
        plan.add(new TensorSpec("token_embd.weight", type, new long[] {d, p.vocab()}));
        if (p.ropeScaling() != null) {
            plan.add(new TensorSpec("rope_freqs.weight", GgmlType.F32, new long[] {p.headDim() / 2}));
        }
        plan.add(new TensorSpec("output_norm.weight", GgmlType.F32, new long[] {d}));
        if (phi2) {
            plan.add(new TensorSpec("output_norm.bias", GgmlType.F32, new long[] {d}));
        }
        if (!p.tiedEmbeddings()) {
            plan.add(new TensorSpec("output.weight", type, new long[] {d, p.vocab()}));
            if (phi2) {
                plan.add(new TensorSpec("output.bias", GgmlType.F32, new long[] {p.vocab()}));
            }
        }
        for (int l = 0; l < p.layers(); l++) {
            String b = "blk." + l + ".";
            plan.add(new TensorSpec(b + "attn_norm.weight", GgmlType.F32, new long[] {d}));
            switch (arch) {
                case "phi2" -> {
                    plan.add(new TensorSpec(b + "attn_norm.bias", GgmlType.F32, new long[] {d}));
                    plan.add(new TensorSpec(b + "attn_qkv.weight", type, new long[] {d, q + 2 * kv}));
                    plan.add(new TensorSpec(b + "attn_qkv.bias", GgmlType.F32, new long[] {q + 2 * kv}));
                    plan.add(new TensorSpec(b + "attn_output.weight", type, new long[] {q, d}));
                    plan.add(new TensorSpec(b + "attn_output.bias", GgmlType.F32, new long[] {d}));
                    plan.add(new TensorSpec(b + "ffn_up.weight", type, new long[] {d, ff}));
                    plan.add(new TensorSpec(b + "ffn_up.bias", GgmlType.F32, new long[] {ff}));
                    plan.add(new TensorSpec(b + "ffn_down.weight", type, new long[] {ff, d}));
                    plan.add(new TensorSpec(b + "ffn_down.bias", GgmlType.F32, new long[] {d}));
                    continue;   // one LayerNorm feeds attention and FFN: no ffn_norm
                }
                case "phi3" -> plan.add(new TensorSpec(b + "attn_qkv.weight", type, new long[] {d, q + 2 * kv}));
                case "qwen2" -> {
                    plan.add(new TensorSpec(b + "attn_q.weight", type, new long[] {d, q}));
                    plan.add(new TensorSpec(b + "attn_q.bias", GgmlType.F32, new long[] {q}));
                    plan.add(new TensorSpec(b + "attn_k.weight", type, new long[] {d, kv}));
                    plan.add(new TensorSpec(b + "attn_k.bias", GgmlType.F32, new long[] {kv}));
                    plan.add(new TensorSpec(b + "attn_v.weight", type, new long[] {d, kv}));
                    plan.add(new TensorSpec(b + "attn_v.bias", GgmlType.F32, new long[] {kv}));
                }
                default -> {
                    plan.add(new TensorSpec(b + "attn_q.weight", type, new long[] {d, q}));
                    plan.add(new TensorSpec(b + "attn_k.weight", type, new long[] {d, kv}));
                    plan.add(new TensorSpec(b + "attn_v.weight", type, new long[] {d, kv}));
                }
            }
            plan.add(new TensorSpec(b + "attn_output.weight", type, new long[] {q, d}));
            if (arch.equals("gemma2")) {
                plan.add(new TensorSpec(b + "post_attention_norm.weight", GgmlType.F32, new long[] {d}));
            }
            plan.add(new TensorSpec(b + "ffn_norm.weight", GgmlType.F32, new long[] {d}));
            int ne = p.family().experts();
            if (ne > 0) {
                plan.add(new TensorSpec(b + "ffn_gate_inp.weight", GgmlType.F32, new long[] {d, ne}));
                plan.add(new TensorSpec(b + "ffn_gate_exps.weight", type, new long[] {d, ff, ne}));
                plan.add(new TensorSpec(b + "ffn_up_exps.weight", type, new long[] {d, ff, ne}));
                plan.add(new TensorSpec(b + "ffn_down_exps.weight", type, new long[] {ff, d, ne}));
            } else if (arch.equals("phi3")) {
                plan.add(new TensorSpec(b + "ffn_up.weight", type, new long[] {d, 2 * ff}));   // gate | up
                plan.add(new TensorSpec(b + "ffn_down.weight", type, new long[] {ff, d}));
            } else {
                plan.add(new TensorSpec(b + "ffn_gate.weight", type, new long[] {d, ff}));
                plan.add(new TensorSpec(b + "ffn_up.weight", type, new long[] {d, ff}));
                plan.add(new TensorSpec(b + "ffn_down.weight", type, new long[] {ff, d}));
            }
            if (arch.equals("gemma2")) {
                plan.add(new TensorSpec(b + "post_ffw_norm.weight", GgmlType.F32, new long[] {d}));
            }
        }
        return plan;
    }

    private static TensorContent constant(float[] values) {
        return os -> {
            MemorySegment seg = Quantize.row(GgmlType.F32, values, 0, values.length);
            os.write(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        };
    }

    /**
     * Streams {@code rows} rows of {@code cols} N(0, 0.02²) values quantized to {@code type}; rows are generated in
     * parallel chunks of about 4 MB, each row from its own seeded stream.
     */
    private static TensorContent random(GgmlType type, int cols, int rows, long seed, int tensorIndex) {
        return (OutputStream os) -> {
            long rowBytes = type.rowBytes(cols);
            int chunkRows = (int) Math.max(1, Math.min(rows, (4L << 20) / rowBytes));
            byte[] buf = new byte[(int) (rowBytes * chunkRows)];
            MemorySegment seg = MemorySegment.ofArray(buf);
            ThreadLocal<float[]> scratch = ThreadLocal.withInitial(() -> new float[cols]);
            for (int r0 = 0; r0 < rows; r0 += chunkRows) {
                int n = Math.min(chunkRows, rows - r0);
                final int base = r0;
                IntStream.range(0, n).parallel().forEach(k -> {
                    float[] row = scratch.get();
                    SplittableRandom rnd = new SplittableRandom(mix(seed, tensorIndex, base + k));
                    for (int c = 0; c < cols; c++) {
                        row[c] = (float) (rnd.nextGaussian() * WEIGHT_STD);
                    }
                    Quantize.row(type, row, 0, cols, seg, k * rowBytes);
                });
                os.write(buf, 0, (int) (n * rowBytes));
            }
        };
    }

    /** A 64-bit seed for one row, from the user seed, the tensor's index and the row (SplitMix64 finaliser). */
    static long mix(long seed, int tensor, int row) {
        long z = seed + 0x9E3779B97F4A7C15L * (((long) tensor << 32) + row + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A synthetic SentencePiece ({@code tokenizer.ggml.model = "llama"}) vocabulary of {@code size} tokens:
     * <pre>
     * 0 &lt;unk&gt; (UNKNOWN)   1 &lt;s&gt; (CONTROL, BOS)   2 &lt;/s&gt; (CONTROL, EOS)
     * 3..258   &lt;0x00&gt;..&lt;0xFF&gt; (BYTE: byte fallback, so any text encodes)
     * 259      "▁" (NORMAL: the space marker)
     * 260..    "▁a" "a" "▁b" "b" ... "▁ba" ... (NORMAL, distinct, score = -index)
     * </pre>
     */
    static void putSyntheticVocab(GgufWriter w, int size) {
        if (size < 300) {
            throw new IllegalArgumentException("synthetic vocabulary needs at least 300 tokens, got " + size);
        }
        String[] tokens = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens[0] = "<unk>";
        types[0] = 2;
        tokens[1] = "<s>";
        types[1] = 3;
        tokens[2] = "</s>";
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = 6;
        }
        tokens[259] = "\u2581"; // the SentencePiece space marker on its own, as real vocabularies have
        types[259] = 1;
        for (int i = 260; i < size; i++) {
            int k = i - 260;
            tokens[i] = (k % 2 == 0 ? "\u2581" : "") + word(k / 2);
            types[i] = 1;
            scores[i] = -k;
        }
        w.putString("tokenizer.ggml.model", "llama");
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putFloat32Array("tokenizer.ggml.scores", scores);
        w.putInt32Array("tokenizer.ggml.token_type", types);
        w.putUInt32("tokenizer.ggml.unknown_token_id", 0);
        w.putUInt32("tokenizer.ggml.bos_token_id", 1);
        w.putUInt32("tokenizer.ggml.eos_token_id", 2);
        w.putBool("tokenizer.ggml.add_bos_token", true);
        w.putBool("tokenizer.ggml.add_eos_token", false);
    }

    /** Bijective base-26: 0 → "a", 25 → "z", 26 → "aa", ... */
    static String word(int i) {
        StringBuilder sb = new StringBuilder();
        int n = i + 1;
        while (n > 0) {
            n--;
            sb.append((char) ('a' + n % 26));
            n /= 26;
        }
        return sb.reverse().toString();
    }

}
