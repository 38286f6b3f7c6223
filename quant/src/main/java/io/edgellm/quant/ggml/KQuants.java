package io.edgellm.quant.ggml;

/**
 * The scale-search helpers of ggml's K-quant reference quantizers ({@code make_qkx2_quants}, {@code make_qx_quants},
 * {@code make_q3_quants} in ggml-quants.c), with the same float operations in the same order. They choose, for one
 * small group of weights, the scale (and for the "_1"-style formats the minimum) that minimises a weighted error,
 * by trying a few candidate scales around {@code nmax / max}.
 */
final class KQuants {

    private KQuants() {
    }

    /** ggml's GROUP_MAX_EPS: groups whose largest magnitude is below this are treated as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * {@code make_qkx2_quants}: asymmetric quants {@code L[i]} in 0..nmax with {@code x ≈ scale * L - theMin}. Returns
     * the scale; {@code theMin[0]} receives the (non-negative) minimum to subtract.
     *
     * @param x       group values {@code x[xOff .. xOff+n-1]}
     * @param weights per-value error weights (length n)
     * @param L       receives the quants at {@code L[lOff .. lOff+n-1]}
     * @param laux    scratch of length n
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xOff, float[] weights, int[] L, int lOff,
                                float[] theMin, int[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xOff];
        float max = x[xOff];
        float sumW = weights[0];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; i++) {
            float xi = x[xOff + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            theMin[0] = -min;
            return 0.0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = GgmlMath.nearestInt(iscale * (x[xOff + i] - min));
            L[lOff + i] = Math.max(0, Math.min(nmax, l));
            float diff = scale * L[lOff + i] + min - x[xOff + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1) {
            theMin[0] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = GgmlMath.nearestInt(iscale * (x[xOff + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                laux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[xOff + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[xOff + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(laux, 0, L, lOff, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }

    /**
     * {@code make_qx_quants} with {@code rmse_type = 1} and no importance weights (weights {@code x*x}): symmetric
     * quants {@code L[i]} in 0..2·nmax-1 (stored with the offset nmax) and the returned scale, {@code x ≈ scale *
     * (L - nmax)}. Used by {@code quantize_row_q6_K_ref}.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOff, int[] L, int lOff) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            return 0.0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = GgmlMath.nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lOff + i] = l + nmax;
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = GgmlMath.nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = xi * xi;
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int l = GgmlMath.nearestInt(iscale * x[xOff + i]);
                    L[lOff + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * {@code make_q3_quants} with {@code do_rmse = true}: symmetric quants in 0..2·nmax-1 (offset nmax), refined by up to
     * 5 passes of coordinate descent on the {@code x*x}-weighted error. Used by {@code quantize_row_q3_K_ref}.
     */
    static float makeQ3Quants(int n, int nmax, float[] x, int xOff, int[] L, int lOff) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            return 0.0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = GgmlMath.nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lOff + i] = l;
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; itry++) {
            int nChanged = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                float w = xi * xi;
                float slx = sumlx - w * xi * L[lOff + i];
                if (slx > 0) {
                    float sl2 = suml2 - w * L[lOff + i] * L[lOff + i];
                    int newL = GgmlMath.nearestInt(xi * sl2 / slx);
                    newL = Math.max(-nmax, Math.min(nmax - 1, newL));
                    if (newL != L[lOff + i]) {
                        slx += w * xi * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[lOff + i] = newL;
                            sumlx = slx;
                            suml2 = sl2;
                            nChanged++;
                        }
                    }
                }
            }
            if (nChanged == 0) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            L[lOff + i] += nmax;
        }
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }
}
