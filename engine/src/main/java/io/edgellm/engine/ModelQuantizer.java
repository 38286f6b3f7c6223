package io.edgellm.engine;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.ggml.Quantize;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import io.edgellm.quant.gguf.GgufValueType;
import io.edgellm.quant.gguf.GgufWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Re-encodes the weights of a GGUF model into another ggml type, like llama.cpp's {@code llama-quantize IN OUT TYPE}
 * ({@code src/llama-quant.cpp}). Target types: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1.
 *
 * <p>Which tensors change, following llama.cpp (the version that made ../shared/models):
 * <ul>
 *   <li>only tensors with ≥ 2 dimensions whose name ends in {@code weight} and is not a norm ({@code *_norm.weight}),
 *       {@code ffn_gate_inp}, position embedding or token types; all others keep their type and bytes (1-D stay F32);</li>
 *   <li>without {@code --pure}, for a quantized target, the output projection ({@code output.weight}, or
 *       {@code token_embd.weight} when there is no {@code output.weight}) becomes Q8_0 when its row length is not a
 *       multiple of 256 (e.g. TinyStories: 128), else Q6_K unless the target is Q8_0. edgellm cannot encode Q6_K yet and
 *       writes Q8_0 there instead (logged);</li>
 *   <li>a row length that is not a multiple of the target's block size falls back to F16 (stories260K's
 *       {@code ffn_down}, rows of 172).</li>
 * </ul>
 * Metadata is copied; {@code general.file_type} is set to the llama_ftype of the target and
 * {@code general.quantization_version} to 2. Tensor data is converted one row at a time (dequantize → quantize,
 * bit-exact with ggml's reference quantizers), streamed to the output, so memory use is one row.
 */
public final class ModelQuantizer {
    /** llama_ftype ids ({@code general.file_type}) of the supported targets. */
    public static final Map<GgmlType, Integer> FILE_TYPE = new EnumMap<>(Map.of(
            GgmlType.F32, 0, GgmlType.F16, 1, GgmlType.Q4_0, 2, GgmlType.Q4_1, 3, GgmlType.Q8_0, 7,
            GgmlType.Q5_0, 8, GgmlType.Q5_1, 9, GgmlType.BF16, 32));

    private ModelQuantizer() {
    }

    /**
     * The decision for one tensor.
     *
     * @param name tensor name
     * @param from type in the input file
     * @param to   type in the output file
     * @param dims ggml dims
     * @param note why the type differs from the target, or ""
     */
    public record Plan(String name, GgmlType from, GgmlType to, long[] dims, String note) {
    }

    /**
     * Decides the type of every tensor.
     *
     * @param in     the input file
     * @param target the requested type
     * @param pure   true: every quantizable tensor gets {@code target} (llama-quantize {@code --pure})
     * @return one plan per tensor, in file order
     * @throws IllegalArgumentException when {@code target} is not a supported target type
     */
    public static List<Plan> plan(GgufFile in, GgmlType target, boolean pure) {
        if (!FILE_TYPE.containsKey(target)) {
            throw new IllegalArgumentException("unsupported target type " + target + " (supported: " + FILE_TYPE.keySet() + ")");
        }
        boolean hasOutput = in.findTensor("output.weight").isPresent();
        List<Plan> plans = new ArrayList<>();
        for (GgufTensorInfo t : in.tensors()) {
            String name = t.name();
            if (!allowsQuantization(t)) {
                plans.add(new Plan(name, t.type(), t.type(), t.dims(), "kept"));
                continue;
            }
            GgmlType type = target;
            String note = "";
            boolean quantized = target.blockSize() > 1;
            if (quantized && !pure && (name.equals("output.weight") || (!hasOutput && name.equals("token_embd.weight")))) {
                if (t.rowLength() % 256 != 0) {
                    type = GgmlType.Q8_0;
                    note = "output tensor, row length not a multiple of 256 -> Q8_0 (llama.cpp)";
                } else if (type != GgmlType.Q8_0) {
                    type = GgmlType.Q8_0;
                    note = "output tensor: llama.cpp uses Q6_K, edgellm has no Q6_K encoder -> Q8_0";
                }
            }
            if (quantized && t.rowLength() % type.blockSize() != 0) {
                note = "row length " + t.rowLength() + " not a multiple of " + type.blockSize() + " -> F16 (llama.cpp fallback)";
                type = GgmlType.F16;
            }
            plans.add(new Plan(name, t.type(), type, t.dims(), note));
        }
        return plans;
    }

    /** llama.cpp's {@code tensor_allows_quantization} for the tensors of the supported architectures. */
    static boolean allowsQuantization(GgufTensorInfo t) {
        if (t.nDims() < 2) return false;
        String n = t.name();
        return n.endsWith("weight") && !n.contains("_norm.weight") && !n.contains("ffn_gate_inp.weight")
                && !n.equals("position_embd.weight") && !n.equals("token_types.weight");
    }

    /**
     * Writes {@code out}: {@code in} with its weights converted to {@code target}.
     *
     * @param in     input GGUF
     * @param out    output GGUF (overwritten)
     * @param target the requested type
     * @param pure   true: every quantizable tensor gets {@code target}
     * @param log receives one line per tensor ("name  FROM -> TO  [dims]  note")
     * @throws IOException when reading or writing fails or {@code in} is malformed
     */
    public static void quantize(Path in, Path out, GgmlType target, boolean pure, Consumer<String> log) throws IOException {
        try (GgufFile src = GgufFile.open(in)) {
            List<Plan> plans = plan(src, target, pure);
            GgufWriter w = new GgufWriter().copyMetadataFrom(src);
            w.put("general.quantization_version", GgufValueType.UINT32, 2L);
            w.put("general.file_type", GgufValueType.UINT32, (long) FILE_TYPE.get(target));
            for (Plan p : plans) {
                GgufTensorInfo t = src.tensor(p.name());
                MemorySegment data = src.tensorData(t);
                log.accept(String.format("%-32s %5s -> %-5s %s %s", p.name(), p.from(), p.to(),
                        java.util.Arrays.toString(p.dims()), p.note()));
                if (p.from() == p.to()) {
                    w.addTensor(p.name(), p.to(), p.dims(), data);
                    continue;
                }
                int cols = (int) t.rowLength();
                long rows = t.rows();
                long srcRowBytes = t.type().rowBytes(cols);
                long dstRowBytes = p.to().rowBytes(cols);
                w.addTensor(p.name(), p.to(), p.dims(), os -> {
                    float[] row = new float[cols];
                    byte[] buf = new byte[(int) dstRowBytes];
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment dst = arena.allocate(dstRowBytes);
                        for (long r = 0; r < rows; r++) {
                            Dequantize.row(t.type(), data, r * srcRowBytes, row, 0, cols);
                            Quantize.row(p.to(), row, 0, cols, dst, 0);
                            MemorySegment.copy(dst, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, buf, 0, buf.length);
                            os.write(buf);
                        }
                    }
                });
            }
            w.write(out);
        }
    }
}
