package io.edgellm.bench.runner;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a benchmark row says about the model, read from the GGUF header (no weights touched): llama-bench's
 * {@code model}, {@code size} and {@code params} columns, plus the ggml types.
 *
 * @param path        the file
 * @param architecture {@code general.architecture}
 * @param fileBytes   file size in bytes (llama-bench's "size" is the tensor bytes; close enough, and what is mmapped)
 * @param tensorBytes sum of the tensor data sizes
 * @param parameters  number of weights (sum of tensor element counts)
 * @param types       element count per ggml type
 * @param mainType    the type holding most weights (the "quant" of the model: Q4_0, Q8_0, ...)
 * @param vocabSize   rows of {@code token_embd.weight}
 * @param contextLength {@code <arch>.context_length}, 0 when absent
 */
public record ModelInfo(Path path, String architecture, long fileBytes, long tensorBytes, long parameters,
                        Map<GgmlType, Long> types, GgmlType mainType, int vocabSize, int contextLength) {

    /** Reads the GGUF header of {@code path}. */
    public static ModelInfo read(Path path) throws IOException {
        try (GgufFile g = GgufFile.open(path)) {
            String arch = g.findString("general.architecture").orElse("unknown");
            Map<GgmlType, Long> types = new EnumMap<>(GgmlType.class);
            long params = 0, bytes = 0;
            int vocab = 0;
            for (GgufTensorInfo t : g.tensors()) {
                params += t.elementCount();
                bytes += t.byteSize();
                types.merge(t.type(), t.elementCount(), Long::sum);
                if (t.name().equals("token_embd.weight") && t.nDims() >= 2) {
                    vocab = (int) t.dims()[1];
                }
            }
            if (vocab == 0) {
                vocab = g.findStringArray("tokenizer.ggml.tokens").map(a -> a.length).orElse(0);
            }
            GgmlType main = types.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                    .orElse(GgmlType.F32);
            int ctx = g.findInt(arch + ".context_length").orElse(0);
            return new ModelInfo(path, arch, Files.size(path), bytes, params, types, main, vocab, ctx);
        }
    }

    /** llama-bench's model column: {@code "llama 1B Q4_0"}. */
    public String label() {
        return architecture + " " + sizeLabel(parameters) + " " + mainType;
    }

    /** Parameter count as a size class: {@code 656K}, {@code 135M}, {@code 1.2B}. */
    public static String sizeLabel(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1fB", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%dM", Math.round(n / 1e6));
        }
        return String.format(Locale.ROOT, "%dK", Math.round(n / 1e3));
    }

    /** ggml types with their share of weights: {@code "Q8_0 97.1%, F32 2.9%"}. */
    public String typeSummary() {
        return types.entrySet().stream().sorted(Map.Entry.<GgmlType, Long>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.1f%%", e.getKey(), 100.0 * e.getValue() / parameters))
                .collect(Collectors.joining(", "));
    }

    /** llama-bench's size column: {@code "636.18 MiB"} / {@code "4.58 GiB"}. */
    public static String bytesLabel(long b) {
        if (b >= (1L << 30)) {
            return String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30));
        }
        if (b >= (1L << 20)) {
            return String.format(Locale.ROOT, "%.2f MiB", b / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.2f KiB", b / 1024.0);
    }

    /** llama-bench's params column: {@code "1.24 B"}, {@code "656.38 K"}. */
    public static String paramsLabel(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        return String.format(Locale.ROOT, "%.2f K", n / 1e3);
    }
}
