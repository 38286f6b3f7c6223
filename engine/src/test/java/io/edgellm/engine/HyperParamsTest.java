package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.Model;
import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.SharedData;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufValueType;
import io.edgellm.quant.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HyperParamsTest {

    @Test
    void readsTinyStories() throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.model("TinyStories-656K-Q8_0.gguf"))) {
            ModelConfig c = HyperParams.read(f);
            assertEquals("llama", c.architecture());
            assertEquals(2, c.blockCount());
            assertEquals(128, c.embeddingLength());
            assertEquals(384, c.feedForwardLength());
            assertEquals(8, c.headCount());
            assertEquals(4, c.headCountKv());
            assertEquals(16, c.keyLength());
            assertEquals(16, c.ropeDimensionCount());
            assertEquals(512, c.contextLength());
            assertEquals(2048, c.vocabSize());
            assertEquals(1e-6f, c.rmsEpsilon(), 1e-12f);
            assertTrue(c.tiedEmbeddings());
        }
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            assertFalse(HyperParams.read(f).tiedEmbeddings());
        }
    }

    /** A copy of stories260K with one metadata edit must fail to load with a message naming the key and file. */
    Path edited(Path tmp, Consumer<GgufWriter> edit) throws Exception {
        Path out = tmp.resolve("edited.gguf");
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            GgufWriter w = new GgufWriter().copyMetadataFrom(f).copyTensorsFrom(f);
            edit.accept(w);
            w.write(out);
        }
        return out;
    }

    @Test
    void missingOrInconsistentKeysAreNamed(@TempDir Path tmp) throws Exception {
        Path p = edited(tmp, w -> w.remove("llama.block_count"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(p));
        assertTrue(e.getMessage().contains("llama.block_count") && e.getMessage().contains("edited.gguf"), e.getMessage());

        Path q = edited(tmp, w -> w.put("llama.attention.head_count_kv", GgufValueType.UINT32, 3L));
        e = assertThrows(ModelFormatException.class, () -> Model.load(q));
        assertTrue(e.getMessage().contains("head_count_kv"), e.getMessage());

        Path r = edited(tmp, w -> w.put("general.architecture", GgufValueType.STRING, "mamba"));
        e = assertThrows(ModelFormatException.class, () -> Model.load(r));
        assertTrue(e.getMessage().contains("unsupported architecture 'mamba'"), e.getMessage());

        Path s = edited(tmp, w -> w.put("llama.embedding_length", GgufValueType.UINT32, 128L));
        e = assertThrows(ModelFormatException.class, () -> Model.load(s));
        assertTrue(e.getMessage().contains("token_embd.weight") && e.getMessage().contains("wrong shape"), e.getMessage());

        Path t = edited(tmp, w -> w.remove("tokenizer.ggml.tokens"));
        e = assertThrows(ModelFormatException.class, () -> Model.load(t));
        assertTrue(e.getMessage().contains("tokenizer.ggml.tokens"), e.getMessage());
    }
}
