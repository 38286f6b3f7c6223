package io.edgellm.engine;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.ggml.Quantize;
import io.edgellm.quant.gguf.GgufArray;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import io.edgellm.quant.gguf.GgufValueType;
import io.edgellm.quant.gguf.GgufWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Re-encodes the weights of a GGUF model into another ggml type or K-quant mix, like llama.cpp's
 * {@code llama-quantize IN OUT TYPE} without an importance matrix ({@code src/llama-quant.cpp}, release v0.5.0-dev,
 * commit de3ff81). Targets: {@link LlamaFtype} (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K_S/M/L,
 * Q4_K_S/M, Q5_K_S/M, Q6_K). The output is byte-identical to llama-quantize's for the same input
 * ({@code ModelQuantizerGoldenTest}).
 *
 * <p>How each tensor's type is chosen ({@code llama_tensor_get_type}):
 * <ul>
 *   <li>only tensors with ≥ 2 dimensions whose name ends in {@code weight} and that are not norms,
 *       {@code ffn_gate_inp}, position embeddings, token types (and the other small tensors llama.cpp lists) change;
 *       all others keep their type and bytes;</li>
 *   <li>without {@code --pure}, for a quantized target: the output tensor ({@code output.weight}, or
 *       {@code token_embd.weight} when there is none) becomes Q6_K, or Q8_0 when the target is Q8_0 or its rows are
 *       not a multiple of the target's block; the K-quant mixes then raise attn_v / attn_qkv, attn_output and
 *       ffn_down by layer (the {@code use_more_bits} layers: the first and last eighth and every third in between,
 *       counted in llama.cpp's tensor order), with llama.cpp's exceptions for GQA ≥ 4, 8 experts, 70B models and
 *       Falcon;</li>
 *   <li>a row length that is not a multiple of 256 moves a K-type to a 32-block type (Q2_K, Q3_K → Q4_0, Q4_K → Q5_0,
 *       Q5_K → Q5_1, Q6_K → Q8_0), and one not a multiple of 32 to F16.</li>
 * </ul>
 * Tensors are written in llama.cpp's order (non-layer tensors by name, then layer by layer, by name within a layer);
 * metadata is copied, then {@code general.quantization_version} = 2 and {@code general.file_type} = the llama_ftype id
 * are (re)appended. Quantized input is dequantized first (llama-quantize's {@code --allow-requantize}). Data is
 * converted one row at a time (bit-exact with ggml's {@code quantize_row_*_ref}) and streamed, so memory use is one
 * row.
 */
public final class ModelQuantizer {

    private ModelQuantizer() {
    }

    /**
     * The decision for one tensor.
     *
     * @param name tensor name
     * @param from type in the input file
     * @param to   type in the output file
     * @param dims ggml dims
     * @param note why the type differs from the file type's default, or "" (or "kept" for tensors never quantized)
     */
    public record Plan(String name, GgmlType from, GgmlType to, long[] dims, String note) {
    }

    /** The model facts llama.cpp's rules look at, from the GGUF metadata. */
    private record Model(String arch, int nLayer, int nHead, int nHeadKv, int nExpert, boolean is70B) {

        static Model of(GgufFile f) {
            String arch = f.findString("general.architecture").orElse("");
            int nLayer = f.findInt(arch + ".block_count").orElse(0);
            int nHead = firstInt(f, arch + ".attention.head_count", 0);
            int nHeadKv = firstInt(f, arch + ".attention.head_count_kv", nHead);
            int nExpert = f.findInt(arch + ".expert_count").orElse(0);
            // llama.cpp's LLM_TYPE_70B for the architectures that have one (src/models/*.cpp load_arch_hparams)
            boolean is70B = switch (arch) {
                case "llama" -> nExpert != 8 && nLayer == 80 && nHead != nHeadKv;
                case "qwen2", "olmo", "deci" -> nLayer == 80;
                case "jais2" -> nLayer == 68;
                default -> false;
            };
            return new Model(arch, nLayer, nHead, nHeadKv, nExpert, is70B);
        }

        /** {@code hparams.n_gqa()} of layer 0. */
        int nGqa() {
            return nHeadKv == 0 ? 0 : nHead / nHeadKv;
        }

        boolean falcon() {
            return arch.equals("falcon");
        }

        /** An integer key, or the first element of a per-layer integer array. */
        private static int firstInt(GgufFile f, String key, int dflt) {
            GgufValueType t = f.typeOf(key).orElse(null);
            if (t == null) {
                return dflt;
            }
            if (t.isInteger()) {
                return f.getInt(key);
            }
            if (f.metadata().get(key) instanceof GgufArray a && a.length() > 0 && a.elementType().isInteger()) {
                Object v = a.values();
                long first = switch (v) {
                    case int[] x -> x[0];
                    case long[] x -> x[0];
                    case short[] x -> x[0];
                    case byte[] x -> x[0];
                    default -> dflt;
                };
                return Math.toIntExact(first);
            }
            throw new IllegalArgumentException(f.path() + ": metadata '" + key + "' is " + t + ", expected an integer");
        }
    }

    /** llama.cpp's {@code tensor_category}. */
    private enum Category { TOKEN_EMBD, ATTENTION_Q, ATTENTION_V, ATTENTION_K, ATTENTION_QKV, ATTENTION_KV_B,
        ATTENTION_OUTPUT, FFN_UP, FFN_GATE, FFN_DOWN, OUTPUT, OTHER;

        static Category of(String n) {
            if (n.equals("output.weight")) return OUTPUT;
            if (n.equals("token_embd.weight") || n.equals("per_layer_token_embd.weight")) return TOKEN_EMBD;
            if (n.contains("attn_qkv.weight")) return ATTENTION_QKV;
            if (n.contains("attn_kv_b.weight")) return ATTENTION_KV_B;
            if (n.contains("attn_v.weight")) return ATTENTION_V;
            if (n.contains("attn_k.weight")) return ATTENTION_K;
            if (n.contains("attn_q.weight")) return ATTENTION_Q;
            if (n.contains("attn_output.weight")) return ATTENTION_OUTPUT;
            if (n.contains("ffn_up")) return FFN_UP;
            if (n.contains("ffn_gate")) return FFN_GATE;
            if (n.contains("ffn_down")) return FFN_DOWN;
            return OTHER;
        }

        boolean isAttnV() {
            return this == ATTENTION_V || this == ATTENTION_QKV || this == ATTENTION_KV_B;
        }
    }

    /** llama.cpp's {@code quantize_state_impl}: counters advanced as tensors are visited in order. */
    private static final class State {
        final Model model;
        final LlamaFtype ftype;
        final boolean tiedEmbeddings;
        final int nAttentionWv;
        int iAttentionWv;
        int iFfnDown;
        int iFfnGate;
        int iFfnUp;

        State(Model model, LlamaFtype ftype, List<GgufTensorInfo> tensors) {
            this.model = model;
            this.ftype = ftype;
            this.tiedEmbeddings = tensors.stream().noneMatch(t -> Category.of(t.name()) == Category.OUTPUT);
            this.nAttentionWv = (int) tensors.stream().filter(t -> Category.of(t.name()).isAttnV()).count();
        }
    }

    /**
     * Decides the type of every tensor.
     *
     * @param in    the input file
     * @param ftype the requested file type
     * @param pure  true: every quantizable tensor gets {@code ftype.defaultType()} (llama-quantize {@code --pure}),
     *              apart from the row-length fall-backs
     * @return one plan per tensor, in the order llama-quantize writes them
     * @throws IllegalArgumentException when a tensor's layer cannot be read from its name (MoE models) or a metadata
     *                                  key has the wrong type
     */
    public static List<Plan> plan(GgufFile in, LlamaFtype ftype, boolean pure) {
        List<GgufTensorInfo> tensors = new ArrayList<>(in.tensors());
        tensors.sort(LLAMA_ORDER);
        State qs = new State(Model.of(in), ftype, tensors);
        GgmlType dflt = ftype.defaultType();
        List<Plan> plans = new ArrayList<>();
        for (GgufTensorInfo t : tensors) {
            if (!allowsQuantization(t)) {
                plans.add(new Plan(t.name(), t.type(), t.type(), t.dims(), "kept"));
                continue;
            }
            GgmlType type = dflt;
            StringBuilder note = new StringBuilder();
            if (dflt.isQuantized()) {
                if (!pure) {
                    type = mixType(qs, type, t, Category.of(t.name()));
                    if (type != dflt) {
                        note.append(ftype).append(" rule -> ").append(type);
                    }
                }
                GgmlType fb = fallback(type, t.rowLength());
                if (fb != type) {
                    if (!note.isEmpty()) note.append("; ");
                    note.append("row length ").append(t.rowLength()).append(" not a multiple of ")
                            .append(type.blockSize()).append(" -> ").append(fb);
                    type = fb;
                }
            }
            plans.add(new Plan(t.name(), t.type(), type, t.dims(), note.toString()));
        }
        return plans;
    }

    /**
     * {@link #plan(GgufFile, LlamaFtype, boolean)} for a tensor type as target ({@link LlamaFtype#of(GgmlType)}:
     * Q4_K means Q4_K_M, as in llama-quantize).
     *
     * @param in     the input file
     * @param target the requested type
     * @param pure   see {@link #plan(GgufFile, LlamaFtype, boolean)}
     * @return one plan per tensor
     * @throws IllegalArgumentException when {@code target} is no quantization target
     */
    public static List<Plan> plan(GgufFile in, GgmlType target, boolean pure) {
        return plan(in, LlamaFtype.of(target), pure);
    }

    /** llama_model_loader's {@code weight_name_comparer}: by layer number ("blk.N.", -1 for none), then by name. */
    static final Comparator<GgufTensorInfo> LLAMA_ORDER = Comparator
            .comparingInt((GgufTensorInfo t) -> layerOf(t.name())).thenComparing(GgufTensorInfo::name);

    /** {@code sscanf(name, "blk.%d.", &layer)}: the layer number, or -1. */
    static int layerOf(String name) {
        if (!name.startsWith("blk.")) return -1;
        int i = 4;
        int sign = 1;
        if (i < name.length() && (name.charAt(i) == '-' || name.charAt(i) == '+')) {
            sign = name.charAt(i) == '-' ? -1 : 1;
            i++;
        }
        int start = i;
        long v = 0;
        while (i < name.length() && Character.isDigit(name.charAt(i)) && i - start < 10) {
            v = v * 10 + (name.charAt(i) - '0');
            i++;
        }
        if (i == start) return -1;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, sign * v));
    }

    /** {@code ggml_n_dims}: dims up to the last one greater than 1. */
    private static int nDims(GgufTensorInfo t) {
        long[] d = t.dims();
        for (int i = d.length - 1; i >= 1; i--) {
            if (d[i] > 1) return i + 1;
        }
        return 1;
    }

    private static final String[] NEVER_QUANTIZED = {"_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight",
        "altup", "laurel", "per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight",
        "indexer.q_proj.weight", "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight",
        "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight",
        "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight",
        "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight", "attn_rel_b.weight",
        ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd", ".patch_merger",
        "a.rvq.codebook", "mm.a.code_embd"};

    /** llama.cpp's {@code tensor_allows_quantization}. */
    static boolean allowsQuantization(GgufTensorInfo t) {
        if (nDims(t) < 2) return false;
        String n = t.name();
        if (!n.endsWith("weight") || n.equals("position_embd.weight") || n.equals("token_types.weight")) return false;
        for (String s : NEVER_QUANTIZED) {
            if (n.contains(s)) return false;
        }
        return true;
    }

    /** {@code use_more_bits}: the first and last eighth of the layers and every third one between them. */
    private static boolean useMoreBits(int iLayer, int nLayers) {
        return iLayer < nLayers / 8 || iLayer >= 7 * nLayers / 8 || (iLayer - nLayers / 8) % 3 == 2;
    }

    /** {@code layer_info}: the counter, or with experts the layer number from the name. */
    private static int layerIndex(State qs, int counter, String name) {
        if (Math.max(1, qs.model.nExpert()) > 1) {
            int l = layerOf(name);
            if (!name.startsWith("blk.") || l == -1 && !name.startsWith("blk.-1")) {
                throw new IllegalArgumentException("failed to determine the layer of tensor " + name);
            }
            if (l < 0 || l >= qs.model.nLayer()) {
                throw new IllegalArgumentException("bad layer " + l + " for tensor " + name + ": must be in [0, "
                        + qs.model.nLayer() + ")");
            }
            return l;
        }
        return counter;
    }

    /** {@code llama_tensor_get_type_impl} for the file types of {@link LlamaFtype}. */
    private static GgmlType mixType(State qs, GgmlType type, GgufTensorInfo t, Category cat) {
        LlamaFtype f = qs.ftype;
        Model m = qs.model;
        if (cat == Category.OUTPUT || (qs.tiedEmbeddings && cat == Category.TOKEN_EMBD)) {
            if (m.falcon() || t.rowLength() % type.blockSize() != 0) {
                return GgmlType.Q8_0;
            }
            return type != GgmlType.Q8_0 ? GgmlType.Q6_K : type;
        }
        if (cat == Category.TOKEN_EMBD) {
            return type;
        }
        if (cat.isAttnV()) {
            if (f == LlamaFtype.Q2_K) {
                type = m.nGqa() >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (f == LlamaFtype.Q3_K_M) {
                type = qs.iAttentionWv < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            } else if (f == LlamaFtype.Q3_K_L) {
                type = GgmlType.Q5_K;
            } else if ((f == LlamaFtype.Q4_K_M || f == LlamaFtype.Q5_K_M)
                    && useMoreBits(qs.iAttentionWv, qs.nAttentionWv)) {
                type = GgmlType.Q6_K;
            } else if (f == LlamaFtype.Q4_K_S && qs.iAttentionWv < 4) {
                type = GgmlType.Q5_K;
            }
            if (m.is70B() && (type == GgmlType.Q3_K || type == GgmlType.Q4_K)) {
                type = GgmlType.Q5_K;
            }
            if (m.nExpert() == 8) {
                type = GgmlType.Q8_0;
            }
            qs.iAttentionWv++;
            return type;
        }
        switch (cat) {
            case ATTENTION_K -> {
                if (m.nExpert() == 8) type = GgmlType.Q8_0;
            }
            case FFN_DOWN -> {
                int iLayer = layerIndex(qs, qs.iFfnDown, t.name());
                int nLayer = m.nLayer();
                boolean falcon = m.falcon();
                if (f == LlamaFtype.Q2_K) {
                    type = GgmlType.Q3_K;
                } else if (f == LlamaFtype.Q3_K_M) {
                    type = iLayer < nLayer / 16 ? GgmlType.Q5_K
                            : !falcon || useMoreBits(iLayer, nLayer) ? GgmlType.Q4_K : GgmlType.Q3_K;
                } else if (f == LlamaFtype.Q3_K_L) {
                    type = falcon ? GgmlType.Q4_K : GgmlType.Q5_K;
                } else if (f == LlamaFtype.Q4_K_M) {
                    if (falcon) {
                        type = iLayer < nLayer / 16 ? GgmlType.Q6_K
                                : useMoreBits(iLayer, nLayer) ? GgmlType.Q5_K : GgmlType.Q4_K;
                    } else if (useMoreBits(iLayer, nLayer)) {
                        type = GgmlType.Q6_K;
                    }
                } else if (f == LlamaFtype.Q5_K_M && useMoreBits(iLayer, nLayer)) {
                    type = GgmlType.Q6_K;
                } else if (f == LlamaFtype.Q4_K_S && !falcon && iLayer < nLayer / 8) {
                    type = GgmlType.Q5_K;
                }
                qs.iFfnDown++;
            }
            case ATTENTION_OUTPUT -> {
                if (!m.falcon()) {
                    if (m.nExpert() == 8) {
                        if (f == LlamaFtype.Q2_K || f == LlamaFtype.Q3_K_S || f == LlamaFtype.Q3_K_M
                                || f == LlamaFtype.Q4_K_S || f == LlamaFtype.Q4_K_M) {
                            type = GgmlType.Q5_K;
                        }
                    } else if (f == LlamaFtype.Q2_K) {
                        type = GgmlType.Q3_K;
                    } else if (f == LlamaFtype.Q3_K_M) {
                        type = GgmlType.Q4_K;
                    } else if (f == LlamaFtype.Q3_K_L) {
                        type = GgmlType.Q5_K;
                    }
                } else if (f == LlamaFtype.Q3_K_L) {
                    type = GgmlType.Q4_K;
                }
            }
            case FFN_GATE -> {
                layerIndex(qs, qs.iFfnGate, t.name()); // only IQ3_XS changes ffn_gate; the name check still applies
                qs.iFfnGate++;
            }
            case FFN_UP -> {
                layerIndex(qs, qs.iFfnUp, t.name());
                qs.iFfnUp++;
            }
            default -> { }
        }
        return type;
    }

    /** {@code tensor_type_fallback}: a type whose block divides the row length. */
    static GgmlType fallback(GgmlType type, long ncols) {
        if (ncols % type.blockSize() == 0) {
            return type;
        }
        GgmlType r = switch (type) {
            case Q2_K, Q3_K -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> {
                if (type.blockSize() <= 32) yield type;
                throw new IllegalArgumentException("no tensor type fallback is defined for type " + type);
            }
        };
        return ncols % r.blockSize() != 0 ? GgmlType.F16 : r;
    }

    /**
     * Writes {@code out}: {@code in} with its weights converted as {@link #plan(GgufFile, LlamaFtype, boolean)}
     * decides.
     *
     * @param in       input GGUF
     * @param out      output GGUF (overwritten)
     * @param ftype    the requested file type
     * @param pure     true: every quantizable tensor gets the default type (llama-quantize {@code --pure})
     * @param log      receives one line per tensor ("name  FROM -> TO  [dims]  note") before it is converted
     * @param progress receives tensors and bytes written, after every row
     * @throws IOException when reading or writing fails or {@code in} is malformed
     */
    public static void quantize(Path in, Path out, LlamaFtype ftype, boolean pure, Consumer<String> log,
                                Progress progress) throws IOException {
        try (GgufFile src = GgufFile.open(in)) {
            List<Plan> plans = plan(src, ftype, pure);
            GgufWriter w = new GgufWriter().copyMetadataFrom(src);
            // gguf_set_val_u32 removes an existing key and appends it
            w.remove("general.quantization_version").put("general.quantization_version", GgufValueType.UINT32, 2L);
            w.remove("general.file_type").put("general.file_type", GgufValueType.UINT32, (long) ftype.id());
            long total = 0;
            for (Plan p : plans) {
                GgufTensorInfo t = src.tensor(p.name());
                total += Math.multiplyExact(p.to().rowBytes(t.rowLength()), t.rows());
            }
            final long bytesTotal = total;
            int nTensors = plans.size();
            long[] done = {0};
            int[] tensorsDone = {0};
            for (Plan p : plans) {
                GgufTensorInfo t = src.tensor(p.name());
                MemorySegment data = src.tensorData(t);
                int cols = Math.toIntExact(t.rowLength());
                long rows = t.rows();
                if (p.from() == p.to()) {
                    w.addTensor(p.name(), p.to(), p.dims(), os -> {
                        log.accept(line(p));
                        byte[] buf = new byte[1 << 20];
                        for (long off = 0; off < data.byteSize(); off += buf.length) {
                            int n = (int) Math.min(buf.length, data.byteSize() - off);
                            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, off, buf, 0, n);
                            os.write(buf, 0, n);
                            done[0] += n;
                            progress.update(tensorsDone[0], nTensors, done[0], bytesTotal);
                        }
                        progress.update(++tensorsDone[0], nTensors, done[0], bytesTotal);
                    });
                    continue;
                }
                long srcRowBytes = t.type().rowBytes(cols);
                long dstRowBytes = p.to().rowBytes(cols);
                w.addTensor(p.name(), p.to(), p.dims(), os -> {
                    log.accept(line(p));
                    float[] row = new float[cols];
                    byte[] buf = new byte[Math.toIntExact(dstRowBytes)];
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment dst = arena.allocate(dstRowBytes);
                        for (long r = 0; r < rows; r++) {
                            Dequantize.row(t.type(), data, r * srcRowBytes, row, 0, cols);
                            Quantize.row(p.to(), row, 0, cols, dst, 0);
                            MemorySegment.copy(dst, ValueLayout.JAVA_BYTE, 0, buf, 0, buf.length);
                            os.write(buf);
                            done[0] += buf.length;
                            progress.update(tensorsDone[0], nTensors, done[0], bytesTotal);
                        }
                    }
                    progress.update(++tensorsDone[0], nTensors, done[0], bytesTotal);
                });
            }
            w.write(out);
        }
    }

    /**
     * {@link #quantize(Path, Path, LlamaFtype, boolean, Consumer, Progress)} for a tensor type as target
     * ({@link LlamaFtype#of(GgmlType)}), without progress.
     *
     * @param in     input GGUF
     * @param out    output GGUF (overwritten)
     * @param target the requested type
     * @param pure   true: every quantizable tensor gets {@code target}
     * @param log    receives one line per tensor
     * @throws IOException when reading or writing fails or {@code in} is malformed
     */
    public static void quantize(Path in, Path out, GgmlType target, boolean pure, Consumer<String> log)
            throws IOException {
        quantize(in, out, LlamaFtype.of(target), pure, log, Progress.NONE);
    }

    private static String line(Plan p) {
        return String.format("%-32s %5s -> %-5s %s %s", p.name(), p.from(), p.to(), Arrays.toString(p.dims()),
                p.note()).stripTrailing();
    }
}
