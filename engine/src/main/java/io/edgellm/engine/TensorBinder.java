package io.edgellm.engine;

import io.edgellm.engine.nn.Linear;
import io.edgellm.engine.nn.Norm;

import io.edgellm.ModelFormatException;
import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import io.edgellm.quant.kernel.QTensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Looks tensors up by name and checks them against the shape the architecture expects (llama.cpp's
 * {@code check_tensor_dims}), the types edgellm has kernels for, and the file bounds. Every error names the file and
 * the tensor. Remembers which tensors were used so that unexpected extra tensors can be reported.
 */
public final class TensorBinder {
    /** Weight types the matmul kernels accept. */
    public static final Set<GgmlType> MATRIX_TYPES = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16,
            GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
            GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    private final GgufFile file;
    private final Set<String> used = new HashSet<>();

    /**
     * A binder over one file.
     *
     * @param file an open GGUF file
     */
    public TensorBinder(GgufFile file) {
        this.file = file;
    }

    /**
     * Returns the file.
     *
     * @return the GGUF file
     */
    public GgufFile file() {
        return file;
    }

    /**
     * Whether the file has a tensor.
     *
     * @param name tensor name
     * @return true when present
     */
    public boolean has(String name) {
        return file.findTensor(name).isPresent();
    }

    /**
     * A required matrix of shape {@code [cols, rows]}.
     *
     * @param name tensor name
     * @param cols expected row length (dims[0], input width)
     * @param rows expected row count (dims[1], output width)
     * @return a zero-copy view
     * @throws ModelFormatException when missing, of another shape, of a type without kernels, or out of the file
     */
    public QTensor matrix(String name, long cols, long rows) throws ModelFormatException {
        GgufTensorInfo t = require(name);
        checkDims(t, cols, rows);
        if (!MATRIX_TYPES.contains(t.type())) {
            throw error(name, "has type " + t.type() + ", which edgellm cannot multiply (supported: " + MATRIX_TYPES + ")");
        }
        if (cols % t.type().blockSize() != 0) {
            throw error(name, "row length " + cols + " is not a multiple of the " + t.type() + " block size " + t.type().blockSize());
        }
        return new QTensor(name, t.type(), (int) rows, (int) cols, data(t));
    }

    /**
     * An optional matrix.
     *
     * @param name tensor name
     * @param cols expected row length
     * @param rows expected row count
     * @return a zero-copy view, or null when absent
     * @throws ModelFormatException when present but malformed
     */
    public QTensor optionalMatrix(String name, long cols, long rows) throws ModelFormatException {
        return has(name) ? matrix(name, cols, rows) : null;
    }

    /**
     * A required 1-D vector (norm weight, bias), dequantized to floats.
     *
     * @param name tensor name
     * @param n    expected length
     * @return the values
     * @throws ModelFormatException when missing, of another shape or not F32/F16/BF16
     */
    public float[] vector(String name, long n) throws ModelFormatException {
        GgufTensorInfo t = require(name);
        checkDims(t, n);
        GgmlType type = t.type();
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16) {
            throw error(name, "has type " + type + "; 1-D weights must be F32, F16 or BF16");
        }
        float[] out = new float[(int) n];
        Dequantize.row(type, data(t), 0, out, 0, (int) n);
        return out;
    }

    /**
     * An optional vector.
     *
     * @param name tensor name
     * @param n    expected length
     * @return the values, or null when absent
     * @throws ModelFormatException when present but malformed
     */
    public float[] optionalVector(String name, long n) throws ModelFormatException {
        return has(name) ? vector(name, n) : null;
    }

    /**
     * A required linear layer: {@code <prefix>.weight} of shape {@code [in, out]} and, when present,
     * {@code <prefix>.bias} of {@code out} floats.
     *
     * @param prefix tensor name without {@code .weight}, e.g. {@code blk.0.attn_q}
     * @param in     input width
     * @param out    output width
     * @return the layer
     * @throws ModelFormatException when the weight is missing or either tensor is malformed
     */
    public Linear linear(String prefix, long in, long out) throws ModelFormatException {
        return new Linear(matrix(prefix + ".weight", in, out), optionalVector(prefix + ".bias", out));
    }

    /**
     * A required linear layer with a required bias.
     *
     * @param prefix tensor name without {@code .weight}
     * @param in     input width
     * @param out    output width
     * @return the layer
     * @throws ModelFormatException when a tensor is missing or malformed
     */
    public Linear linearWithBias(String prefix, long in, long out) throws ModelFormatException {
        return new Linear(matrix(prefix + ".weight", in, out), vector(prefix + ".bias", out));
    }

    /**
     * An RMS norm {@code <prefix>.weight}.
     *
     * @param prefix tensor name without {@code .weight}
     * @param n      width
     * @param eps    epsilon
     * @return the norm
     * @throws ModelFormatException when missing or malformed
     */
    public Norm rmsNorm(String prefix, long n, float eps) throws ModelFormatException {
        return new Norm(Norm.Kind.RMS, vector(prefix + ".weight", n), null, eps);
    }

    /**
     * A LayerNorm {@code <prefix>.weight} and {@code <prefix>.bias}.
     *
     * @param prefix tensor name without {@code .weight}
     * @param n      width
     * @param eps    epsilon
     * @return the norm
     * @throws ModelFormatException when missing or malformed
     */
    public Norm layerNorm(String prefix, long n, float eps) throws ModelFormatException {
        return new Norm(Norm.Kind.LAYER, vector(prefix + ".weight", n), vector(prefix + ".bias", n), eps);
    }

    /**
     * A 3-D expert tensor {@code [cols, rows, n_expert]} bound as one zero-copy matrix view per expert (llama.cpp's
     * {@code ffn_*_exps}, read by {@code mul_mat_id}).
     *
     * @param name    tensor name
     * @param cols    row length of each expert's matrix (input width)
     * @param rows    rows of each expert's matrix (output width)
     * @param experts n_expert
     * @return the per-expert views
     * @throws ModelFormatException when missing, of another shape or type, or out of the file
     */
    public QTensor[] experts(String name, long cols, long rows, int experts) throws ModelFormatException {
        GgufTensorInfo t = require(name);
        checkDims(t, cols, rows, experts);
        if (!MATRIX_TYPES.contains(t.type())) {
            throw error(name, "has type " + t.type() + ", which edgellm cannot multiply (supported: " + MATRIX_TYPES + ")");
        }
        if (cols % t.type().blockSize() != 0) {
            throw error(name, "row length " + cols + " is not a multiple of the " + t.type() + " block size " + t.type().blockSize());
        }
        MemorySegment all = data(t);
        long bytes = Math.multiplyExact(t.type().rowBytes(cols), rows);
        QTensor[] out = new QTensor[experts];
        for (int e = 0; e < experts; e++) {
            out[e] = new QTensor(name + "[" + e + "]", t.type(), (int) rows, (int) cols, all.asSlice(e * bytes, bytes));
        }
        return out;
    }

    /**
     * Tensors that were not bound.
     *
     * @return names of tensors in the file that no bind call asked for, sorted
     */
    public Set<String> unused() {
        Set<String> s = new java.util.TreeSet<>();
        for (GgufTensorInfo t : file.tensors()) {
            if (!used.contains(t.name())) s.add(t.name());
        }
        return s;
    }

    private GgufTensorInfo require(String name) throws ModelFormatException {
        Optional<GgufTensorInfo> t = file.findTensor(name);
        if (t.isEmpty()) {
            throw new ModelFormatException(file.path(), "missing tensor '" + name + "'");
        }
        used.add(name);
        return t.get();
    }

    private MemorySegment data(GgufTensorInfo t) throws ModelFormatException {
        try {
            return file.tensorData(t);
        } catch (RuntimeException e) {
            throw error(t.name(), "data is not within the file: " + e.getMessage());
        }
    }

    private void checkDims(GgufTensorInfo t, long... expected) throws ModelFormatException {
        long[] d = t.dims();
        // trailing 1s are equivalent (ggml shapes are 4-D with ne[i] = 1 beyond n_dims)
        int n = d.length;
        while (n > expected.length && d[n - 1] == 1) n--;
        boolean ok = n == expected.length;
        for (int i = 0; ok && i < n; i++) ok = d[i] == expected[i];
        if (!ok) {
            throw error(t.name(), "has wrong shape; expected " + Arrays.toString(expected) + ", got " + Arrays.toString(d));
        }
        boolean tooLarge = false;
        for (long x : expected) tooLarge |= x > Integer.MAX_VALUE;
        if (tooLarge) {
            throw error(t.name(), "is too large: " + Arrays.toString(d));
        }
    }

    private ModelFormatException error(String tensor, String msg) {
        return new ModelFormatException(file.path(), "tensor '" + tensor + "' " + msg);
    }
}
