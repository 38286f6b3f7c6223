package io.edgellm.engine.nn;

import java.util.Objects;

/**
 * A normalisation layer over one row of {@code n} elements (llama.cpp {@code build_norm}):
 * <pre>
 *   RMS:   y = x / sqrt(mean(x²) + eps) * w                     (ggml_rms_norm, then ggml_mul)
 *   LAYER: y = (x - mean(x)) / sqrt(var(x) + eps) * w + b       (ggml_norm, then ggml_mul and ggml_add)
 * </pre>
 *
 * @param kind   RMS or LayerNorm
 * @param weight {@code <name>.weight}, n floats
 * @param bias   {@code <name>.bias}, n floats, or null (RMS norms have none)
 * @param eps    {@code attention.layer_norm_rms_epsilon} or {@code attention.layer_norm_epsilon}
 */
public record Norm(Kind kind, float[] weight, float[] bias, float eps) {

    /** Which normalisation. */
    public enum Kind {
        /** Root-mean-square norm (Zhang and Sennrich 2019): llama, qwen2, phi3, gemma. */
        RMS,
        /** LayerNorm with bias (Ba et al. 2016): phi2. */
        LAYER
    }

    /** Checks the parts. */
    public Norm {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(weight, "weight");
        if (bias != null && bias.length != weight.length) {
            throw new IllegalArgumentException("norm bias of " + bias.length + " for a weight of " + weight.length);
        }
    }
}
