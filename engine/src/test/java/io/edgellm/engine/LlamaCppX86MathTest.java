package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.SessionOptions;
import io.edgellm.quant.kernel.AccumulationOrder;
import io.edgellm.quant.kernel.ActivationPrecision;
import org.junit.jupiter.api.Test;

/** {@link LlamaCppX86Math} pieces and the {@link SessionOptions} switch (the model-level proof is QuantizedLogitsTest). */
class LlamaCppX86MathTest {

    @Test
    void vExpfIsWithinItsStatedErrorOfExp() {
        // ggml_v_expf: "maximum error is 1.45358 plus 0.5 ulps" (measured here up to ~2.1 ulps of the float result);
        // it is not always the correctly rounded value
        int differs = 0;
        for (float x = -80f; x <= 80f; x += 0.001953125f) {
            float got = LlamaCppX86Math.vExpf(x);
            double exact = Math.exp(x);
            assertTrue(Math.abs(got - exact) <= 3 * Math.ulp((float) exact), "x=" + x + ": " + got + " vs " + exact);
            if (got != (float) exact) differs++;
        }
        assertTrue(differs > 0, "expected some values where ggml_v_expf differs from the rounded exp");
        assertEquals(1f, LlamaCppX86Math.vExpf(0f));
    }

    @Test
    void softmaxSumsToOne() {
        float[] x = {0.5f, -1f, 3f, 2f, 0f, 1f, -2f, 0.25f, 1.5f, 2.5f, -0.5f, 0.75f, 1.25f, -3f, 4f, 0.1f, 0.2f, 0.3f};
        LlamaCppX86Math.softmax(x, x.length);
        double s = 0;
        for (float v : x) s += v;
        assertEquals(1.0, s, 1e-6);
    }

    @Test
    void sessionOptionsCarryTheOrder() {
        SessionOptions o = SessionOptions.defaults();
        assertEquals(AccumulationOrder.KERNEL, o.accumulationOrder());
        SessionOptions x = o.withAccumulationOrder(AccumulationOrder.LLAMA_CPP_X86);
        assertEquals(AccumulationOrder.LLAMA_CPP_X86,
                x.withThreads(1).withBatchSize(8).withContextLength(64).withKvCacheType(io.edgellm.KvCacheType.F32)
                        .withActivationPrecision(ActivationPrecision.VEC_DOT_TYPE).accumulationOrder());
    }
}
