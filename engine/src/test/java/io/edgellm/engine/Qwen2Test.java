package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.KvCacheType;
import io.edgellm.ModelConfig;
import io.edgellm.SharedData;
import io.edgellm.quant.GgmlType;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import io.edgellm.quant.gguf.GgufValueType;
import io.edgellm.quant.gguf.GgufWriter;
import io.edgellm.quant.kernel.ActivationPrecision;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The qwen2 binding and NEOX RoPE, checked against llama: permuting the rows of each q/k head from the adjacent-pair
 * order (2i, 2i+1) to the half-split order (i, i + d/2) turns NORM RoPE into NEOX RoPE, so stories260K relabelled as
 * qwen2 (with zero q/k/v biases and the permuted weights) must give llama's logits.
 */
class Qwen2Test {

    @Test
    void neoxQwen2OfPermutedWeightsEqualsLlama(@TempDir Path tmp) throws Exception {
        Path src = SharedData.model("stories260K.gguf");
        Path out = tmp.resolve("qwen2-stories260K.gguf");
        try (GgufFile f = GgufFile.open(src); Arena arena = Arena.ofConfined()) {
            ModelConfig c = HyperParams.read(f);
            GgufWriter w = new GgufWriter();
            for (Map.Entry<String, Object> e : f.metadata().entrySet()) {
                String k = e.getKey().startsWith("llama.") ? "qwen2." + e.getKey().substring(6) : e.getKey();
                w.put(k, f.typeOf(e.getKey()).orElseThrow(), e.getValue());
            }
            w.put("general.architecture", GgufValueType.STRING, "qwen2");
            int hd = c.keyLength();
            for (GgufTensorInfo t : f.tensors()) {
                MemorySegment data = f.tensorData(t);
                if (t.name().endsWith("attn_q.weight") || t.name().endsWith("attn_k.weight")) {
                    assertEquals(GgmlType.F32, t.type());
                    int cols = (int) t.rowLength(), rows = (int) t.rows();
                    MemorySegment p = arena.allocate(data.byteSize());
                    for (int r = 0; r < rows; r++) {
                        int head = r / hd, i = r % hd;
                        // new row i < hd/2 takes old row 2i; new row hd/2 + i takes old row 2i + 1
                        int from = head * hd + (i < hd / 2 ? 2 * i : 2 * (i - hd / 2) + 1);
                        MemorySegment.copy(data, (long) from * cols * 4, p, (long) r * cols * 4, (long) cols * 4);
                    }
                    w.addTensor(t.name(), t.type(), t.dims(), p);
                } else {
                    w.addTensor(t.name(), t.type(), t.dims(), data);
                }
            }
            for (int l = 0; l < c.blockCount(); l++) {
                w.addTensor("blk." + l + ".attn_q.bias", GgmlType.F32, new long[] {c.queryDim()}, arena.allocate(4L * c.queryDim()));
                w.addTensor("blk." + l + ".attn_k.bias", GgmlType.F32, new long[] {c.kvDimK()}, arena.allocate(4L * c.kvDimK()));
                w.addTensor("blk." + l + ".attn_v.bias", GgmlType.F32, new long[] {c.kvDimV()}, arena.allocate(4L * c.kvDimV()));
            }
            w.write(out);
        }
        int[] ids = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315};
        float[] llama = logits(src, ids);
        float[] qwen = logits(out, ids);
        float max = 0;
        for (int i = 0; i < llama.length; i++) max = Math.max(max, Math.abs(llama[i] - qwen[i]));
        assertTrue(max < 1e-4, "qwen2(NEOX, permuted) vs llama(NORM): max |diff| " + max);
        try (GgufFile g = GgufFile.open(out)) {
            assertEquals("qwen2", LoadedModel.of(g).config().architecture());
        }
    }

    static float[] logits(Path model, int[] ids) throws Exception {
        try (GgufFile f = GgufFile.open(model)) {
            LoadedModel lm = LoadedModel.of(f);
            try (Transformer.State s = lm.transformer().newState(64, 64, 1, KvCacheType.F32, ActivationPrecision.VEC_DOT_TYPE)) {
                float[] out = new float[ids.length * lm.config().vocabSize()];
                lm.transformer().forward(s, ids, 0, ids.length, 0, out, true);
                return out;
            }
        }
    }
}
