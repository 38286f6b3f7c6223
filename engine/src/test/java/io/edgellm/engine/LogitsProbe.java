package io.edgellm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.KvCacheType;
import io.edgellm.SharedData;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.kernel.AccumulationOrder;
import io.edgellm.quant.kernel.ActivationPrecision;
import java.nio.file.Path;

/** Test helper: teacher-forced logits of a model for a token sequence, and comparison with a golden file. */
final class LogitsProbe {
    private LogitsProbe() {
    }

    /** All-position logits of {@code ids} (one forward, batch {@code nBatch}). */
    static float[] teacherForced(Path model, int[] ids, int nBatch, ActivationPrecision p) throws Exception {
        return teacherForced(model, ids, nBatch, p, AccumulationOrder.KERNEL);
    }

    /** All-position logits of {@code ids} (one forward, batch {@code nBatch}) with a given matmul summation order. */
    static float[] teacherForced(Path model, int[] ids, int nBatch, ActivationPrecision p, AccumulationOrder order)
            throws Exception {
        try (GgufFile f = GgufFile.open(model)) {
            LoadedModel lm = LoadedModel.of(f);
            try (Transformer.State s = lm.transformer().newState(512, nBatch, 2, KvCacheType.F32, p, order)) {
                float[] out = new float[ids.length * lm.config().vocabSize()];
                lm.transformer().forward(s, ids, 0, ids.length, 0, out, true);
                return out;
            }
        }
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("length " + a.length + " != " + b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    static JsonNode json(Path p) throws Exception {
        return new ObjectMapper().readTree(p.toFile());
    }

    static int[] ints(JsonNode n) {
        return new ObjectMapper().convertValue(n, int[].class);
    }

    static JsonNode logitsEntry(String file) throws Exception {
        for (JsonNode n : json(SharedData.golden("logits/index.json")).get("files")) {
            if (file.equals(n.path("file").asText())) return n;
        }
        throw new IllegalStateException("no golden/logits/index.json entry for " + file);
    }
}
