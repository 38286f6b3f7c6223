package io.edgellm.engine;

import io.edgellm.quant.GgmlType;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The quantization targets of {@code llama-quantize} that edgellm can produce: llama.cpp's {@code llama_ftype}
 * ({@code include/llama.h}), whose id is what a GGUF stores in {@code general.file_type}. A K-quant "mix" (Q3_K_M,
 * Q4_K_M …) names a default tensor type plus llama.cpp's per-tensor bumps ({@link ModelQuantizer#plan}).
 *
 * <p>Not here: the i-quants (IQ*), Q2_K_S (its Q2_K tensors need an importance matrix), TQ*, MXFP4 and Q1_0/Q2_0.
 */
public enum LlamaFtype {
    /** {@code LLAMA_FTYPE_ALL_F32}: every tensor F32. */
    F32(0, GgmlType.F32),
    /** {@code LLAMA_FTYPE_MOSTLY_F16}. */
    F16(1, GgmlType.F16),
    /** {@code LLAMA_FTYPE_MOSTLY_Q4_0}. */
    Q4_0(2, GgmlType.Q4_0),
    /** {@code LLAMA_FTYPE_MOSTLY_Q4_1}. */
    Q4_1(3, GgmlType.Q4_1),
    /** {@code LLAMA_FTYPE_MOSTLY_Q8_0}. */
    Q8_0(7, GgmlType.Q8_0),
    /** {@code LLAMA_FTYPE_MOSTLY_Q5_0}. */
    Q5_0(8, GgmlType.Q5_0),
    /** {@code LLAMA_FTYPE_MOSTLY_Q5_1}. */
    Q5_1(9, GgmlType.Q5_1),
    /** {@code LLAMA_FTYPE_MOSTLY_Q2_K}: Q2_K, with attn_v, attn_output and ffn_down in Q3_K (attn_v Q4_K at GQA ≥ 4). */
    Q2_K(10, GgmlType.Q2_K),
    /** {@code LLAMA_FTYPE_MOSTLY_Q3_K_S}: Q3_K everywhere except the output tensor. */
    Q3_K_S(11, GgmlType.Q3_K),
    /** {@code LLAMA_FTYPE_MOSTLY_Q3_K_M}: Q3_K, attn_v Q5_K/Q4_K, attn_output Q4_K, ffn_down Q5_K/Q4_K. */
    Q3_K_M(12, GgmlType.Q3_K),
    /** {@code LLAMA_FTYPE_MOSTLY_Q3_K_L}: Q3_K, attn_v, attn_output and ffn_down Q5_K. */
    Q3_K_L(13, GgmlType.Q3_K),
    /** {@code LLAMA_FTYPE_MOSTLY_Q4_K_S}: Q4_K, the first 4 attn_v and the first eighth of ffn_down Q5_K. */
    Q4_K_S(14, GgmlType.Q4_K),
    /** {@code LLAMA_FTYPE_MOSTLY_Q4_K_M}: Q4_K, "use_more_bits" layers' attn_v and ffn_down Q6_K. */
    Q4_K_M(15, GgmlType.Q4_K),
    /** {@code LLAMA_FTYPE_MOSTLY_Q5_K_S}: Q5_K everywhere except the output tensor. */
    Q5_K_S(16, GgmlType.Q5_K),
    /** {@code LLAMA_FTYPE_MOSTLY_Q5_K_M}: Q5_K, "use_more_bits" layers' attn_v and ffn_down Q6_K. */
    Q5_K_M(17, GgmlType.Q5_K),
    /** {@code LLAMA_FTYPE_MOSTLY_Q6_K}. */
    Q6_K(18, GgmlType.Q6_K),
    /** {@code LLAMA_FTYPE_MOSTLY_BF16}. */
    BF16(32, GgmlType.BF16);

    private final int id;
    private final GgmlType defaultType;

    LlamaFtype(int id, GgmlType defaultType) {
        this.id = id;
        this.defaultType = defaultType;
    }

    /**
     * Returns the value llama.cpp writes to {@code general.file_type}.
     *
     * @return the llama_ftype id
     */
    public int id() {
        return id;
    }

    /**
     * Returns the type most quantizable tensors get ({@code llama_ftype_get_default_type}).
     *
     * @return the default tensor type of this file type
     */
    public GgmlType defaultType() {
        return defaultType;
    }

    /**
     * Parses a {@code llama-quantize} type argument: a name (case-insensitive; {@code Q3_K}, {@code Q4_K},
     * {@code Q5_K} are llama-quantize's aliases of the _M mixes) or a numeric llama_ftype id.
     *
     * @param s the argument
     * @return the file type
     * @throws IllegalArgumentException naming the argument and listing the accepted names
     */
    public static LlamaFtype parse(String s) {
        String u = s.trim().toUpperCase(Locale.ROOT);
        switch (u) {
            case "Q3_K" -> { return Q3_K_M; }
            case "Q4_K" -> { return Q4_K_M; }
            case "Q5_K" -> { return Q5_K_M; }
            default -> { }
        }
        for (LlamaFtype f : values()) {
            if (f.name().equals(u)) {
                return f;
            }
        }
        try {
            int id = Integer.parseInt(u);
            Optional<LlamaFtype> f = byId(id);
            if (f.isPresent()) {
                return f.get();
            }
        } catch (NumberFormatException ignored) {
            // not a number: fall through to the error
        }
        throw new IllegalArgumentException("unknown quantization type '" + s + "' (supported: " + names() + ")");
    }

    /**
     * Returns the file type with this {@code general.file_type} id.
     *
     * @param id a llama_ftype id
     * @return the file type, or empty when edgellm cannot produce it
     */
    public static Optional<LlamaFtype> byId(int id) {
        return Arrays.stream(values()).filter(f -> f.id == id).findFirst();
    }

    /**
     * The file type {@code llama-quantize} uses for a tensor type given as target: the type's own file type, and for
     * Q3_K, Q4_K, Q5_K the _M mix (llama-quantize's aliases).
     *
     * @param type a ggml type
     * @return the file type
     * @throws IllegalArgumentException when the type is no quantization target
     */
    public static LlamaFtype of(GgmlType type) {
        return switch (type) {
            case Q3_K -> Q3_K_M;
            case Q4_K -> Q4_K_M;
            case Q5_K -> Q5_K_M;
            default -> Arrays.stream(values()).filter(f -> f.name().equals(type.name())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no quantization target for " + type
                            + " (supported: " + names() + ")"));
        };
    }

    /**
     * Returns the accepted names, comma-separated.
     *
     * @return e.g. "F32, F16, Q4_0, …"
     */
    public static String names() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
