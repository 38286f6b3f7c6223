package io.edgellm.engine.nn;

import io.edgellm.quant.kernel.QTensor;
import java.util.Objects;

/**
 * A linear layer {@code y = W·x + b}: a weight matrix in ggml orientation ({@code cols} = input width, {@code rows} =
 * output width, bound zero-copy to the mapped file) and an optional bias (llama.cpp {@code build_lora_mm} followed by
 * {@code ggml_add} of the {@code .bias} tensor).
 *
 * @param weight {@code <name>.weight}, {@code [in] x out} rows
 * @param bias   {@code <name>.bias} of {@code out} floats, or null
 */
public record Linear(QTensor weight, float[] bias) {

    /** Checks the bias length against the weight. */
    public Linear {
        Objects.requireNonNull(weight, "weight");
        if (bias != null && bias.length != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + ": bias of " + bias.length + " for " + weight.rows() + " rows");
        }
    }

    /**
     * Input width.
     *
     * @return elements of one input row (the matrix row length)
     */
    public int in() {
        return weight.cols();
    }

    /**
     * Output width.
     *
     * @return elements of one output row (the matrix row count)
     */
    public int out() {
        return weight.rows();
    }
}
