package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.KvCacheType;
import io.edgellm.SharedData;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.kernel.ActivationPrecision;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Teacher-forced logits of the real models vs llama.cpp's f32attn logits (golden/logits). */
class GoldenLogitsTest {

    static float maxAbsDiff(float[] a, int aOff, float[] b, int bOff, int n) {
        float m = 0;
        for (int i = 0; i < n; i++) m = Math.max(m, Math.abs(a[aOff + i] - b[bOff + i]));
        return m;
    }

    @ParameterizedTest
    @CsvSource({
            "stories260K.gguf, stories260K__p0.f32attn.bin, 1e-3, 512",
            "TinyStories-656K-F32.gguf, TinyStories-656K-F32__p0.f32attn.bin, 1e-3, 512",
            "stories260K.gguf, stories260K__p0.f32attn.bin, 1e-3, 7",
    })
    void f32ModelsMatchLlamaCpp(String model, String logits, float tol, int nBatch) throws Exception {
        JsonNode index = new ObjectMapper().readTree(SharedData.golden("logits/index.json").toFile());
        JsonNode entry = findEntry(index, logits);
        int[] ids = new ObjectMapper().convertValue(entry.get("token_ids"), int[].class);
        float[] expected = SharedData.floats(SharedData.golden("logits/" + logits));
        try (GgufFile f = GgufFile.open(SharedData.model(model))) {
            LoadedModel lm = LoadedModel.of(f);
            int vocab = lm.config().vocabSize();
            assertEquals(ids.length * vocab, expected.length);
            try (Transformer.State s = lm.transformer().newState(512, nBatch, 2, KvCacheType.F32, ActivationPrecision.VEC_DOT_TYPE)) {
                float[] out = new float[ids.length * vocab];
                lm.transformer().forward(s, ids, 0, ids.length, 0, out, true);
                float worst = maxAbsDiff(out, 0, expected, 0, out.length);
                assertTrue(worst < tol, model + ": max |diff| " + worst + " >= " + tol);
            }
        }
    }

    static JsonNode findEntry(JsonNode index, String file) {
        if (index.isObject() && index.has(file)) return index.get(file);
        for (JsonNode n : index.isArray() ? index : index.path("files")) {
            if (file.equals(n.path("file").asText())) return n;
        }
        throw new IllegalStateException("no index entry for " + file + " in " + index.fieldNames());
    }
}
