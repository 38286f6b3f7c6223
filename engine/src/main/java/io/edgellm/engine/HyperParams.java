package io.edgellm.engine;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.quant.gguf.GgufArray;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Reads the architecture-independent hyperparameters {@code <arch>.*} of a GGUF model into a {@link ModelConfig},
 * with llama.cpp's defaults and checks ({@code llama_model::load_hparams}). Every error names the file and the key.
 */
public final class HyperParams {
    private final GgufFile file;
    private final Path path;
    private final String arch;

    private HyperParams(GgufFile file, String arch) {
        this.file = file;
        this.path = file.path();
        this.arch = arch;
    }

    /**
     * The architecture name.
     *
     * @param file an open GGUF file
     * @return the value of {@code general.architecture}
     * @throws ModelFormatException when the key is missing or not a string
     */
    public static String architecture(GgufFile file) throws ModelFormatException {
        Optional<String> a = findStringSafe(file, "general.architecture");
        if (a.isEmpty() || a.get().isBlank()) {
            throw new ModelFormatException(file.path(), "missing metadata key 'general.architecture' (string): not a model file");
        }
        return a.get();
    }

    /**
     * Reads the config of {@code file}.
     *
     * @param file an open GGUF model file
     * @return the hyperparameters
     * @throws ModelFormatException for a missing required key, a non-positive or inconsistent value
     */
    public static ModelConfig read(GgufFile file) throws ModelFormatException {
        String arch = architecture(file);
        return new HyperParams(file, arch).read();
    }

    private ModelConfig read() throws ModelFormatException {
        int nLayer = requirePositive("block_count");
        checkBlockCount(nLayer);
        int nEmbd = requirePositive("embedding_length");
        int nFf = perLayerInt("feed_forward_length", true);
        int nHead = perLayerInt("attention.head_count", true);
        int nHeadKv = optionalPerLayerInt("attention.head_count_kv", nHead);
        if (nHeadKv <= 0 || nHead % nHeadKv != 0) {
            throw error("'" + key("attention.head_count_kv") + "' = " + nHeadKv + " must be > 0 and divide "
                    + key("attention.head_count") + " = " + nHead);
        }
        if (!file.contains(key("attention.key_length")) && nEmbd % nHead != 0) {
            throw error("'" + key("embedding_length") + "' = " + nEmbd + " is not a multiple of '"
                    + key("attention.head_count") + "' = " + nHead + " (and no key_length given)");
        }
        int headK = optionalPositive("attention.key_length", nEmbd / nHead);
        int headV = optionalPositive("attention.value_length", nEmbd / nHead);
        int nRot = optionalPositive("rope.dimension_count", headK);
        if (nRot > headK || (nRot & 1) != 0) {
            throw error("'" + key("rope.dimension_count") + "' = " + nRot + " must be even and <= the head size " + headK);
        }
        checkProducts(nEmbd, nFf, nHead, nHeadKv, headK, headV);
        int nCtxTrain = requirePositive("context_length");
        // RMSNorm models say layer_norm_rms_epsilon, LayerNorm models (phi2) layer_norm_epsilon
        String epsKey = file.contains(key("attention.layer_norm_rms_epsilon")) ? "attention.layer_norm_rms_epsilon"
                : "attention.layer_norm_epsilon";
        float eps = (float) optionalDouble(epsKey)
                .orElseThrow(() -> error("missing metadata key '" + key("attention.layer_norm_rms_epsilon") + "' (or '"
                        + key("attention.layer_norm_epsilon") + "')"));
        checkEpsilon(epsKey, eps);
        float freqBase = (float) optionalDouble("rope.freq_base").orElse(10000.0);
        if (!(freqBase > 1) || !Float.isFinite(freqBase)) {
            throw error("'" + key("rope.freq_base") + "' = " + freqBase + " must be a finite number > 1");
        }
        ModelConfig.RopeScaling scaling = ropeScaling(nCtxTrain);
        int nVocab = vocabSize();
        boolean tied = file.findTensor("output.weight").isEmpty();
        if (tied) warnIfOutputRenamed();
        String name = findStringSafe(file, "general.name").orElse(path.getFileName().toString());
        return new ModelConfig(arch, name, nLayer, nEmbd, nFf, nHead, nHeadKv, headK, headV, eps, freqBase, nRot,
                scaling, nCtxTrain, nVocab, tied);
    }

    private ModelConfig.RopeScaling ropeScaling(int nCtxTrain) throws ModelFormatException {
        String typeName = findStringSafe(file, key("rope.scaling.type")).orElse(null);
        OptionalDouble factorKey = optionalDouble("rope.scaling.factor");
        OptionalDouble legacyLinear = optionalDouble("rope.scale_linear"); // older GGUF files
        float factor = (float) (factorKey.isPresent() ? factorKey.getAsDouble()
                : legacyLinear.isPresent() ? legacyLinear.getAsDouble() : 1.0);
        ModelConfig.RopeScaling.Type type;
        if (typeName == null) {
            type = legacyLinear.isPresent() && factor != 1f ? ModelConfig.RopeScaling.Type.LINEAR : ModelConfig.RopeScaling.Type.NONE;
        } else {
            type = switch (typeName.toLowerCase(Locale.ROOT)) {
                case "none" -> ModelConfig.RopeScaling.Type.NONE;
                case "linear" -> ModelConfig.RopeScaling.Type.LINEAR;
                case "yarn" -> ModelConfig.RopeScaling.Type.YARN;
                case "llama3" -> ModelConfig.RopeScaling.Type.LLAMA3;
                default -> throw error("unsupported '" + key("rope.scaling.type") + "' = '" + typeName
                        + "' (supported: none, linear, yarn, llama3)");
            };
        }
        if (type != ModelConfig.RopeScaling.Type.NONE) {
            checkFinitePositive(factorKey.isPresent() ? "rope.scaling.factor" : "rope.scale_linear", factor);
        }
        OptionalLong origKey = optionalLong("rope.scaling.original_context_length");
        int orig = origKey.isPresent() ? checkPositive("rope.scaling.original_context_length", origKey.getAsLong()) : nCtxTrain;
        float low = (float) optionalDouble("rope.scaling.low_freq_factor").orElse(1.0);
        float high = (float) optionalDouble("rope.scaling.high_freq_factor").orElse(4.0);
        float betaFast = (float) optionalDouble("rope.scaling.yarn_beta_fast").orElse(32.0);
        float betaSlow = (float) optionalDouble("rope.scaling.yarn_beta_slow").orElse(1.0);
        float attnFactor = (float) optionalDouble("rope.scaling.attn_factor").orElse(1.0);
        if (type == ModelConfig.RopeScaling.Type.NONE) {
            return ModelConfig.RopeScaling.NONE;
        }
        checkFinitePositive("rope.scaling.low_freq_factor", low);
        checkFinitePositive("rope.scaling.high_freq_factor", high);
        checkFinitePositive("rope.scaling.attn_factor", attnFactor);
        checkFinitePositive("rope.scaling.yarn_beta_fast", betaFast);
        checkFinitePositive("rope.scaling.yarn_beta_slow", betaSlow);
        if (type == ModelConfig.RopeScaling.Type.LLAMA3 && !(high > low)) {
            throw error("'" + key("rope.scaling.high_freq_factor") + "' = " + high + " must be greater than '"
                    + key("rope.scaling.low_freq_factor") + "' = " + low + " (llama3 rope scaling divides by their difference)");
        }
        return new ModelConfig.RopeScaling(type, factor, orig, low, high, betaFast, betaSlow, attnFactor);
    }

    private int vocabSize() throws ModelFormatException {
        if (file.metadata().get("tokenizer.ggml.tokens") instanceof GgufArray tokens) {
            return tokens.length();
        }
        GgufTensorInfo embd = file.findTensor("token_embd.weight")
                .orElseThrow(() -> error("missing tensor 'token_embd.weight'"));
        if (embd.nDims() < 2 || embd.dim(1) <= 0 || embd.dim(1) > Integer.MAX_VALUE) {
            throw error("tensor 'token_embd.weight' has an invalid shape " + java.util.Arrays.toString(embd.dims()));
        }
        return (int) embd.dim(1);
    }

    // ---- validation helpers (bounds derived from the file, checked before anything is allocated) ----------------

    /**
     * {@code block_count} may not exceed the blocks the file has tensors for: {@code 1 + max N} over the tensor names
     * {@code blk.N.*}. Otherwise a hostile count (2^30 in a 750 KB file) would size per-layer lists before the first
     * "missing tensor" error.
     */
    private void checkBlockCount(int nLayer) throws ModelFormatException {
        long present = 0;
        for (GgufTensorInfo t : file.tensors()) {
            String n = t.name();
            if (!n.startsWith("blk.")) continue;
            int dot = n.indexOf('.', 4);
            if (dot <= 4 || dot - 4 > 9) continue;
            long idx = 0;
            boolean digits = true;
            for (int i = 4; i < dot; i++) {
                char ch = n.charAt(i);
                if (ch < '0' || ch > '9') {
                    digits = false;
                    break;
                }
                idx = idx * 10 + (ch - '0');
            }
            if (digits) present = Math.max(present, idx + 1);
        }
        if (nLayer > present) {
            throw error("metadata key '" + key("block_count") + "' = " + nLayer + " but the file has tensors for "
                    + (present == 0 ? "no blocks (no blk.N.* tensor)" : present + " block(s) (blk.0 .. blk." + (present - 1) + ")"));
        }
    }

    /**
     * Without {@code output.weight} the output layer reuses {@code token_embd.weight} (tied embeddings). When the file
     * has another tensor whose name starts with {@code output} (other than {@code output_norm}), it was probably renamed
     * or mistyped: say so instead of switching silently.
     */
    private void warnIfOutputRenamed() {
        for (GgufTensorInfo t : file.tensors()) {
            String n = t.name();
            if (n.startsWith("output") && !n.startsWith("output_norm")) {
                System.getLogger("io.edgellm.engine").log(System.Logger.Level.WARNING, io.edgellm.quant.gguf.Printable.escape(
                        path + ": no tensor 'output.weight' but '" + n + "' is present; using tied embeddings"
                                + " (token_embd.weight) for the output layer"));
                return;
            }
        }
    }

    /** Every derived size ({@code head_count * key_length} ...) must fit in an int: no silent wrap-around. */
    private void checkProducts(int nEmbd, int nFf, int nHead, int nHeadKv, int headK, int headV) throws ModelFormatException {
        try {
            Math.multiplyExact(nHead, headK);                             // queryDim
            Math.multiplyExact(nHead, headV);                             // attention output
            Math.multiplyExact(nHeadKv, headK);                           // kvDimK
            Math.multiplyExact(nHeadKv, headV);                           // kvDimV
            Math.addExact(Math.multiplyExact(nHeadKv, headK), Math.multiplyExact(nHeadKv, headV));
            Math.multiplyExact(Math.max(nEmbd, nFf), 2);                  // gate + up rows of one token
        } catch (ArithmeticException e) {
            throw error("attention sizes overflow: '" + key("attention.head_count") + "' = " + nHead + ", '"
                    + key("attention.head_count_kv") + "' = " + nHeadKv + ", key_length " + headK + ", value_length "
                    + headV + " give a head_count x key_length beyond " + Integer.MAX_VALUE);
        }
    }

    /** A norm epsilon must be finite and plausible: the models we know use 1e-6 .. 1e-5; reject <= 0 or > 1e-2. */
    private void checkEpsilon(String suffix, float eps) throws ModelFormatException {
        if (!(eps > 0) || !(eps <= 1e-2f)) {
            throw error("'" + key(suffix) + "' = " + eps + " is not a plausible norm epsilon (must be in (0, 1e-2];"
                    + " models use 1e-6 .. 1e-5)");
        }
    }

    private void checkFinitePositive(String suffix, float v) throws ModelFormatException {
        if (!(v > 0) || !Float.isFinite(v)) {
            throw error("'" + key(suffix) + "' = " + v + " must be a finite number > 0");
        }
    }

    // ---- key helpers -------------------------------------------------------------------------------------------------

    private String key(String suffix) {
        return arch + "." + suffix;
    }

    private ModelFormatException error(String msg) {
        return new ModelFormatException(path, msg);
    }

    private int requirePositive(String suffix) throws ModelFormatException {
        OptionalLong v = optionalLong(suffix);
        if (v.isEmpty()) {
            throw error("missing metadata key '" + key(suffix) + "'");
        }
        return checkPositive(suffix, v.getAsLong());
    }

    private int optionalPositive(String suffix, int dflt) throws ModelFormatException {
        OptionalLong v = optionalLong(suffix);
        return v.isEmpty() ? dflt : checkPositive(suffix, v.getAsLong());
    }

    private int checkPositive(String suffix, long v) throws ModelFormatException {
        if (v <= 0 || v > Integer.MAX_VALUE / 2) {
            throw error("metadata key '" + key(suffix) + "' = " + v + " is out of range (must be 1 .. " + Integer.MAX_VALUE / 2 + ")");
        }
        return (int) v;
    }

    /** A per-layer key may be a scalar or an array (one value per layer); edgellm needs all layers equal. */
    private int perLayerInt(String suffix, boolean required) throws ModelFormatException {
        String k = key(suffix);
        Optional<int[]> arr = findIntArraySafe(k);
        if (arr.isPresent()) {
            int[] a = arr.get();
            if (a.length == 0) throw error("metadata key '" + k + "' is an empty array");
            for (int x : a) {
                if (x != a[0]) throw error("metadata key '" + k + "' differs between layers (" + java.util.Arrays.toString(a)
                        + "); per-layer sizes are not supported");
            }
            return checkPositive(suffix, a[0]);
        }
        if (required) return requirePositive(suffix);
        return -1;
    }

    private int optionalPerLayerInt(String suffix, int dflt) throws ModelFormatException {
        if (!file.contains(key(suffix))) return dflt;
        return perLayerInt(suffix, true);
    }

    private Optional<int[]> findIntArraySafe(String k) {
        if (!(file.metadata().get(k) instanceof GgufArray a)) return Optional.empty();
        Object values = a.values();
        if (values instanceof int[] ints) return Optional.of(ints);
        if (values instanceof long[] longs) {
            int[] out = new int[longs.length];
            for (int i = 0; i < longs.length; i++) out[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, longs[i]));
            return Optional.of(out);
        }
        return Optional.empty();
    }

    private OptionalLong optionalLong(String suffix) throws ModelFormatException {
        String k = key(suffix);
        if (!file.contains(k)) return OptionalLong.empty();
        try {
            return OptionalLong.of(file.getLong(k));
        } catch (IllegalArgumentException e) {
            throw error("metadata key '" + k + "' must be an integer: " + e.getMessage());
        }
    }

    private OptionalDouble optionalDouble(String suffix) throws ModelFormatException {
        String k = key(suffix);
        if (!file.contains(k)) return OptionalDouble.empty();
        try {
            return OptionalDouble.of(file.getDouble(k));
        } catch (IllegalArgumentException e) {
            throw error("metadata key '" + k + "' must be a number: " + e.getMessage());
        }
    }

    private static Optional<String> findStringSafe(GgufFile file, String k) throws ModelFormatException {
        if (!file.contains(k)) return Optional.empty();
        try {
            return Optional.of(file.getString(k));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file.path(), "metadata key '" + k + "' must be a string: " + e.getMessage());
        }
    }
}
