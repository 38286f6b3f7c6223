package io.edgellm.bench.memory;

import io.edgellm.KvCacheType;
import io.edgellm.ModelConfig;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run will need, before any session is created ({@code edgellm inspect --memory}).
 *
 * <ul>
 *   <li><b>mapped weights</b>: the tensor bytes of the GGUF file, by ggml type. They are mapped, not copied; a forward
 *       pass touches every weight, so all of them become resident.</li>
 *   <li><b>KV cache</b> (Java heap): {@code 2 · n_layer · n_ctx · n_head_kv · head_dim · element size} per sequence
 *       ({@code -np}).</li>
 *   <li><b>activations and scratch</b> (Java heap), per sequence: the batch buffers
 *       {@code n_batch · (3·n_embd + 2·q_dim + 2·kv_dim + 2·n_ff)} floats, the attention scores
 *       ({@code threads · n_ctx}), the Q8 activation copy ({@code n_batch · max(n_embd, n_ff)} bytes) and one row of
 *       logits.</li>
 *   <li><b>tokenizer and metadata</b> (Java heap): about {@value #BYTES_PER_VOCAB_ENTRY} bytes per vocabulary entry.</li>
 *   <li><b>Java heap</b>: the live data above times {@value #GC_HEADROOM} — the collector keeps about as much again
 *       committed as it holds live (measured with the JDK's default collector on a 2-core machine); the smallest
 *       {@code -Xmx} that runs is about {@value #MIN_XMX_FACTOR} × the live data.</li>
 *   <li><b>JVM</b>: code cache, metaspace, GC tables and threads, about {@value #JVM_FIXED_MIB} MiB.</li>
 * </ul>
 * The sum is compared with {@code MemAvailable} of {@code /proc/meminfo}. The constants were measured on the synthetic
 * Llama-3.2-1B Q4_0 at {@code -c 4096} (peak RSS 1506 MiB against an estimate of 1520 MiB); they are an engineering
 * estimate, not a bound.
 *
 * @param weightsByType   mapped tensor bytes per ggml type name
 * @param weightBytes     their sum
 * @param kvCacheBytes    KV cache, all sequences
 * @param scratchBytes    activations and scratch, all sequences
 * @param tokenizerBytes  tokenizer and metadata
 * @param heapLiveBytes   live Java heap ({@code kv + scratch + tokenizer})
 * @param heapBytes       expected committed Java heap ({@code live · GC_HEADROOM})
 * @param jvmBytes        JVM overhead
 * @param totalBytes      expected peak resident set: weights + heap + JVM
 */
public record MemoryEstimate(Map<String, Long> weightsByType, long weightBytes, long kvCacheBytes, long scratchBytes,
                             long tokenizerBytes, long heapLiveBytes, long heapBytes, long jvmBytes, long totalBytes) {

    /** Heap bytes per vocabulary entry held by the tokenizer and the GGUF metadata arrays. */
    public static final int BYTES_PER_VOCAB_ENTRY = 320;
    /** Committed heap / live heap. */
    public static final double GC_HEADROOM = 2.0;
    /** Smallest workable {@code -Xmx} / live heap. */
    public static final double MIN_XMX_FACTOR = 1.3;
    /** JVM overhead outside the heap, MiB. */
    public static final int JVM_FIXED_MIB = 150;

    /**
     * Computes the estimate.
     *
     * @param file     the model's GGUF file (tensor table)
     * @param config   its hyperparameters
     * @param nCtx     context per sequence ({@code -c})
     * @param nSeq     sequences ({@code -np}), each with its own session
     * @param nBatch   prompt tokens per forward pass ({@code -b})
     * @param threads  worker threads
     * @param kv       KV cache element type ({@code -ctk})
     * @return the estimate
     */
    public static MemoryEstimate of(GgufFile file, ModelConfig config, int nCtx, int nSeq, int nBatch, int threads,
                                    KvCacheType kv) {
        if (nCtx < 1 || nSeq < 1 || nBatch < 1 || threads < 1) {
            throw new IllegalArgumentException("n_ctx, -np, n_batch and threads must be at least 1");
        }
        Map<String, Long> byType = new TreeMap<>();
        long weights = 0;
        for (GgufTensorInfo t : file.tensors()) {
            byType.merge(t.type().name(), t.byteSize(), Long::sum);
            weights += t.byteSize();
        }
        long kvDim = (long) config.headCountKv() * Math.max(config.keyLength(), config.valueLength());
        long kvBytes = 2L * config.blockCount() * nCtx * kvDim * kv.bytesPerElement() * nSeq;
        long e = config.embeddingLength(), ff = config.feedForwardLength();
        long qDim = (long) config.headCount() * Math.max(config.keyLength(), config.valueLength());
        int b = Math.min(nBatch, nCtx);
        long floats = (long) b * (3 * e + 2 * qDim + 2 * kvDim + 2 * ff) + (long) threads * nCtx + config.vocabSize();
        long scratch = (floats * 4 + (long) b * Math.max(e, ff)) * nSeq;
        long tok = (long) config.vocabSize() * BYTES_PER_VOCAB_ENTRY;
        long live = kvBytes + scratch + tok;
        long heap = (long) (live * GC_HEADROOM);
        long jvm = JVM_FIXED_MIB * 1048576L;
        return new MemoryEstimate(byType, weights, kvBytes, scratch, tok, live, heap, jvm, weights + heap + jvm);
    }

    /**
     * {@code MemAvailable} of a meminfo file.
     *
     * @param meminfo usually {@code /proc/meminfo}
     * @return bytes, or -1 when the file or the line is missing
     */
    public static long memAvailable(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] p = line.substring(13).trim().split("\\s+");
                    return Long.parseLong(p[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * The report {@code inspect --memory} prints.
     *
     * @param available {@code MemAvailable}, or -1 when unknown
     * @return lines
     */
    public String format(long available) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-34s %12s%n", "mapped weights", mib(weightBytes)));
        for (Map.Entry<String, Long> t : weightsByType.entrySet()) {
            sb.append(String.format(Locale.ROOT, "  %-32s %12s%n", t.getKey(), mib(t.getValue())));
        }
        sb.append(String.format(Locale.ROOT, "%-34s %12s%n", "KV cache", mib(kvCacheBytes)));
        sb.append(String.format(Locale.ROOT, "%-34s %12s%n", "activations and scratch", mib(scratchBytes)));
        sb.append(String.format(Locale.ROOT, "%-34s %12s%n", "tokenizer and metadata", mib(tokenizerBytes)));
        sb.append(String.format(Locale.ROOT, "%-34s %12s  (live %s; run with -Xmx%dm or more)%n", "Java heap (committed)",
                mib(heapBytes), mib(heapLiveBytes), (long) Math.ceil(heapLiveBytes * MIN_XMX_FACTOR / 1048576.0)));
        sb.append(String.format(Locale.ROOT, "%-34s %12s%n", "JVM (code, metaspace, GC, threads)", mib(jvmBytes)));
        sb.append(String.format(Locale.ROOT, "%-34s %12s%n", "expected peak RSS", mib(totalBytes)));
        if (available < 0) {
            sb.append("available: unknown (no MemAvailable in /proc/meminfo)\n");
        } else {
            sb.append(String.format(Locale.ROOT, "%-34s %12s  -> %s%n", "available (MemAvailable)", mib(available),
                    totalBytes <= available ? String.format(Locale.ROOT, "fits (%.0f %% of available)", 100.0 * totalBytes / available)
                            : "DOES NOT FIT: " + mib(totalBytes - available) + " short (smaller -c, -ctk f16, or a smaller quantization)"));
        }
        return sb.toString();
    }

    private static String mib(long b) {
        return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
    }
}
