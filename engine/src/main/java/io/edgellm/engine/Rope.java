package io.edgellm.engine;

import io.edgellm.ModelConfig;

/**
 * Rotary position embedding (RoPE, Su et al. 2021, arXiv:2104.09864) exactly as ggml computes it
 * ({@code ggml_compute_forward_rope_f32}, {@code ggml_rope_cache_init}, {@code rope_yarn}).
 *
 * <p>For position {@code p} and pair index {@code i} (0 ≤ i &lt; n_rot/2) the angle is
 * {@code theta_i = p * base^(-2i/n_rot) / ff_i}, where {@code ff_i} are optional per-frequency divisors
 * (Llama 3's {@code rope_freqs.weight}). Linear scaling multiplies theta by {@code freq_scale = 1/factor}; YaRN blends
 * the scaled and unscaled angle per dimension and scales the magnitude (Peng et al. 2023, arXiv:2309.00071).
 * Like ggml, theta is accumulated in float by repeated multiplication with {@code theta_scale}.
 *
 * <p>Two pairings of the head's dimensions exist:
 * <pre>
 *   NORM (llama, mistral; GGUF llama weights are permuted at conversion so this is right):
 *       (x[0],x[1]) (x[2],x[3]) ... (x[n_rot-2],x[n_rot-1])      pair i = (x[2i], x[2i+1])
 *   NEOX (qwen2, phi3, gemma, gpt-neox):
 *       (x[0],x[n_rot/2]) (x[1],x[n_rot/2+1]) ...                 pair i = (x[i], x[i+n_rot/2])
 * </pre>
 * Each pair is rotated: {@code (a, b) -> (a cos - b sin, a sin + b cos)}. Dimensions {@code >= n_rot} are untouched.
 * Immutable and thread-safe.
 */
public final class Rope {

    /** Which dimensions form a rotated pair (ggml's {@code GGML_ROPE_TYPE_NORMAL} / {@code GGML_ROPE_TYPE_NEOX}). */
    public enum Mode {
        /** Adjacent pairs (x[2i], x[2i+1]). */
        NORM,
        /** Half-split pairs (x[i], x[i + n_rot/2]). */
        NEOX
    }

    private final Mode mode;
    private final int nRot;
    private final float thetaScale;
    private final float freqScale;
    private final float[] freqFactors; // nRot/2 divisors or null
    private final float extFactor;
    private final float attnFactor;
    private final float corrLow;
    private final float corrHigh;

    /**
     * Precomputes the frequency schedule.
     *
     * @param mode        pairing of dimensions
     * @param nRot        rotated dimensions per head (even, ≤ head size)
     * @param freqBase    theta base ({@code rope.freq_base})
     * @param scaling     {@code rope.scaling.*}
     * @param nCtxOrig    original training context (YaRN correction range), tokens
     * @param freqFactors per-pair divisors (length ≥ nRot/2) or null
     */
    public Rope(Mode mode, int nRot, float freqBase, ModelConfig.RopeScaling scaling, int nCtxOrig, float[] freqFactors) {
        if (nRot <= 0 || (nRot & 1) != 0) {
            throw new IllegalArgumentException("rope dimension count must be even and > 0, got " + nRot);
        }
        if (freqFactors != null && freqFactors.length < nRot / 2) {
            throw new IllegalArgumentException("rope freq factors: " + freqFactors.length + " < n_rot/2 = " + nRot / 2);
        }
        this.mode = mode;
        this.nRot = nRot;
        this.thetaScale = (float) Math.pow(freqBase, -2.0f / nRot);
        this.freqScale = scaling.freqScale();
        this.freqFactors = freqFactors;
        boolean yarn = scaling.type() == ModelConfig.RopeScaling.Type.YARN;
        this.extFactor = yarn ? 1f : 0f;
        this.attnFactor = scaling.attnFactor();
        if (yarn) {
            // ggml_rope_yarn_corr_dims: the dimension range over which YaRN ramps from extrapolation to interpolation
            float start = (float) Math.floor(corrDim(nRot, nCtxOrig, scaling.yarnBetaFast(), freqBase));
            float end = (float) Math.ceil(corrDim(nRot, nCtxOrig, scaling.yarnBetaSlow(), freqBase));
            corrLow = Math.max(0f, start);
            corrHigh = Math.min(nRot - 1f, end);
        } else {
            corrLow = 0f;
            corrHigh = 0f;
        }
    }

    /**
     * The schedule of a model: {@code rope.dimension_count}, {@code rope.freq_base} and {@code rope.scaling.*} from the
     * config, with per-pair frequency divisors from the file ({@code rope_freqs.weight}, phi3's
     * {@code rope_factors_*}) or, for {@code rope.scaling.type = llama3} without them, computed.
     *
     * @param cfg         hyperparameters
     * @param mode        the architecture's pairing
     * @param freqFactors per-pair divisors from the file, or null
     * @return the schedule
     */
    public static Rope of(ModelConfig cfg, Mode mode, float[] freqFactors) {
        ModelConfig.RopeScaling sc = cfg.ropeScaling();
        if (freqFactors == null && sc.type() == ModelConfig.RopeScaling.Type.LLAMA3) {
            freqFactors = llama3FreqFactors(cfg.ropeDimensionCount(), cfg.ropeFreqBase(), sc.factor(),
                    sc.lowFreqFactor(), sc.highFreqFactor(), sc.originalContextLength());
        }
        return new Rope(mode, cfg.ropeDimensionCount(), cfg.ropeFreqBase(), sc,
                sc.originalContextLength() > 0 ? sc.originalContextLength() : cfg.contextLength(), freqFactors);
    }

    private static float corrDim(int nDims, int nCtxOrig, float nRot, float base) {
        return nDims * (float) Math.log(nCtxOrig / (nRot * 2 * (float) Math.PI)) / (2 * (float) Math.log(base));
    }

    /**
     * Returns the pairing.
     *
     * @return the pairing of dimensions
     */
    public Mode mode() {
        return mode;
    }

    /**
     * Returns the rotated dimensions per head.
     *
     * @return n_rot
     */
    public int nRot() {
        return nRot;
    }

    /**
     * Fills the cos/sin table of one position: {@code cos[off+i]}, {@code sin[off+i]} for pair {@code i < nRot/2}.
     *
     * @param pos position (token index in the sequence)
     * @param cos destination of the cosines
     * @param sin destination of the sines
     * @param off offset in both
     */
    public void angles(int pos, float[] cos, float[] sin, int off) {
        float mscale = attnFactor;
        if (extFactor != 0f) {
            mscale *= 1.0f + 0.1f * (float) Math.log(1.0f / freqScale);
        }
        fill(pos, mscale, cos, sin, off);
    }

    /**
     * Fills the cos/sin table of a pure rotation by a position difference {@code delta} (possibly negative), for
     * moving a cached, already rotated key from position {@code p} to {@code p + delta} (llama.cpp's K-shift,
     * {@code build_rope_shift}). Every angle of this schedule is linear in the position ({@code theta_i(p) = p * c_i},
     * with {@code c_i} from the base, the frequency divisors, linear scaling and YaRN's per-dimension blend), so
     * {@code R(p + delta) = R(delta) R(p)} up to float rounding. The magnitude factor ({@code attn_factor}, YaRN's
     * {@code mscale}) is left out here: it is already in the cached key, and a rotation must not apply it twice.
     *
     * @param delta position difference, tokens
     * @param cos   destination of the cosines ({@code nRot/2} at {@code off})
     * @param sin   destination of the sines
     * @param off   offset in both
     */
    public void shiftAngles(int delta, float[] cos, float[] sin, int off) {
        fill(delta, 1f, cos, sin, off);
    }

    private void fill(int pos, float mscale, float[] cos, float[] sin, int off) {
        float theta = pos; // theta_base = p; multiplied by theta_scale per pair, in float like ggml
        for (int i = 0; i < nRot / 2; i++) {
            float ff = freqFactors != null ? freqFactors[i] : 1.0f;
            float thetaExtrap = theta / ff;
            float thetaInterp = freqScale * thetaExtrap;
            float t = thetaInterp;
            if (extFactor != 0f) {
                float y = (i - corrLow) / Math.max(0.001f, corrHigh - corrLow); // (i0/2 - low) / (high - low)
                float rampMix = (1 - Math.min(1f, Math.max(0f, y))) * extFactor;
                t = thetaInterp * (1 - rampMix) + thetaExtrap * rampMix;
            }
            cos[off + i] = (float) Math.cos(t) * mscale;
            sin[off + i] = (float) Math.sin(t) * mscale;
            theta *= thetaScale;
        }
    }

    /**
     * Rotates one head vector {@code x[off .. off+headSize)} in place.
     *
     * @param x     vector holding the head
     * @param off   first element of the head
     * @param cos   cosines from {@link #angles}
     * @param sin   sines from {@link #angles}
     * @param csOff offset of this position's angles
     */
    public void rotate(float[] x, int off, float[] cos, float[] sin, int csOff) {
        int half = nRot / 2;
        if (mode == Mode.NORM) {
            for (int i = 0; i < half; i++) {
                float c = cos[csOff + i], s = sin[csOff + i];
                float a = x[off + 2 * i], b = x[off + 2 * i + 1];
                x[off + 2 * i] = a * c - b * s;
                x[off + 2 * i + 1] = a * s + b * c;
            }
        } else {
            for (int i = 0; i < half; i++) {
                float c = cos[csOff + i], s = sin[csOff + i];
                float a = x[off + i], b = x[off + i + half];
                x[off + i] = a * c - b * s;
                x[off + i + half] = a * s + b * c;
            }
        }
    }

    /**
     * Llama 3 frequency divisors ({@code rope_freqs}), as Meta's reference and llama.cpp's converter compute them from
     * {@code rope_scaling = {rope_type: llama3, factor, low_freq_factor, high_freq_factor, original_max_position_embeddings}}:
     * wavelengths shorter than {@code orig/high} keep 1, longer than {@code orig/low} get {@code factor}, between them a
     * smooth blend.
     *
     * @param nRot            rotated dimensions per head
     * @param freqBase        theta base
     * @param factor          {@code rope_scaling.factor}
     * @param lowFreqFactor   {@code low_freq_factor}
     * @param highFreqFactor  {@code high_freq_factor}
     * @param originalContext {@code original_max_position_embeddings}
     * @return {@code nRot/2} divisors
     */
    public static float[] llama3FreqFactors(int nRot, float freqBase, float factor, float lowFreqFactor,
                                            float highFreqFactor, int originalContext) {
        float[] out = new float[nRot / 2];
        double lowFreqWavelen = originalContext / (double) lowFreqFactor;
        double highFreqWavelen = originalContext / (double) highFreqFactor;
        for (int i = 0; i < out.length; i++) {
            double freq = 1.0 / Math.pow(freqBase, (2.0 * i) / nRot);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) {
                out[i] = 1f;
            } else if (wavelen > lowFreqWavelen) {
                out[i] = factor;
            } else {
                double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out[i] = (float) (1.0 / ((1 - smooth) / factor + smooth));
            }
        }
        return out;
    }
}
