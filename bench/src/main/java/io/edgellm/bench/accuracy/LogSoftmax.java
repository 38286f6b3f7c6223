package io.edgellm.bench.accuracy;

/**
 * The per-row arithmetic of llama-perplexity ({@code tools/perplexity/perplexity.cpp}), in its float/double mix, so
 * that printed values agree with llama.cpp's to the last digit where the logits agree.
 */
final class LogSoftmax {
    private LogSoftmax() {
    }

    /** {@code expf}: exp rounded to float. */
    static float expf(float x) {
        return (float) Math.exp(x);
    }

    static float max(float[] logits) {
        float m = logits[0];
        for (int i = 1; i < logits.length; i++) m = Math.max(m, logits[i]);
        return m;
    }

    /** Sum of {@code expf(logit - max)} in double. */
    static double sumExp(float[] logits, float max) {
        double s = 0;
        for (float l : logits) s += expf(l - max);
        return s;
    }

    /**
     * Negative log-likelihood of {@code token} as the plain perplexity pass computes it:
     * {@code -((logit[t] - max) - log(sum exp))} with the difference in float and the log in double.
     */
    static double nll(float[] logits, int token) {
        float max = max(logits);
        double sum = sumExp(logits, max);
        return -((double) (logits[token] - max) - Math.log(sum));
    }
}
