package io.edgellm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import io.edgellm.quant.gguf.GgufWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14, item 4: one NaN block scale must not pass off as output (ids [0, 0, ...], empty text, exit 0). */
class NonFiniteTest {

    /**
     * A copy of {@code model} (through {@link GgufWriter}) whose tensor {@code tensor} has an f16 NaN at byte
     * {@code byteOffset} of its data (block {@code byteOffset / 34} scale d for Q8_0).
     */
    public static Path withNaN(Path model, String tensor, long byteOffset, Path out) throws Exception {
        try (GgufFile f = GgufFile.open(model); Arena arena = Arena.ofConfined()) {
            GgufWriter w = new GgufWriter().copyMetadataFrom(f);
            for (GgufTensorInfo t : f.tensors()) {
                MemorySegment data = f.tensorData(t);
                if (t.name().equals(tensor)) {
                    MemorySegment copy = arena.allocate(data.byteSize());
                    copy.copyFrom(data);
                    copy.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), byteOffset, (short) 0x7E00);
                    data = copy;
                }
                w.addTensor(t.name(), t.type(), t.dims(), data);
            }
            w.write(out);
        }
        return out;
    }

    @Test
    void nanBlockScaleStopsGenerationAndIsFoundByTheCheck(@TempDir Path tmp) throws Exception {
        Path model = SharedData.model("TinyStories-656K-Q8_0.gguf");
        try (GgufFile f = GgufFile.open(model)) {
            assertTrue(f.tensor("blk.1.ffn_down.weight").type() == GgmlType.Q8_0);
        }
        Path bad = withNaN(model, "blk.1.ffn_down.weight", 3 * 34, tmp.resolve("nan-scale.gguf"));
        try (Model m = Model.load(bad); Session s = m.newSession(SessionOptions.defaults().withThreads(2))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> s.generate("Once upon a time", SamplingParams.greedy().withMaxNewTokens(4), null));
            assertTrue(e.getMessage().contains("non-finite logits") && e.getMessage().contains("at position ")
                    && e.getMessage().contains("after the prompt") && e.getMessage().contains("--check-tensors"), e.getMessage());
        }
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Model.load(bad, LoadOptions.defaults().withValidateTensorData(true)));
        assertTrue(e.getMessage().contains("tensor 'blk.1.ffn_down.weight' (Q8_0)")
                && e.getMessage().contains("block 3 (elements 96 .. 127): scale d = NaN"), e.getMessage());
        try (Model ok = Model.load(model, LoadOptions.defaults().withValidateTensorData(true))) {
            assertTrue(ok.tensorCheckMillis() >= 0);
        }
    }
}
