package io.edgellm.quant.ggml;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link Quantize#row} against {@code llama-quantize}: every tensor of a file llama.cpp quantized from an F32 GGUF
 * must be reproduced byte for byte by quantizing the F32 tensor of the same name to the type llama.cpp chose
 * (including its fall-backs: Q8_0 for a tied embedding, F16 for rows not a multiple of 32, F32 kept for norms).
 */
class QuantizeGoldenTest {

    @ParameterizedTest(name = "{1} from {0}")
    @CsvSource({
            "models/TinyStories-656K-F32.gguf, models/TinyStories-656K-Q8_0.gguf, Q8_0",
            "models/TinyStories-656K-F32.gguf, models/TinyStories-656K-Q4_0.gguf, Q4_0",
            "models/stories260K.gguf, models/stories260K-Q8_0.gguf, Q8_0",
            "models/stories260K.gguf, models/stories260K-Q4_0.gguf, Q4_0",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q8_0.gguf, Q8_0",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q4_0.gguf, Q4_0",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q4_1.gguf, Q4_1",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q5_0.gguf, Q5_0",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q5_1.gguf, Q5_1",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-F16.gguf, F16",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-BF16.gguf, BF16",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q2_K.gguf, Q2_K",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q3_K.gguf, Q3_K",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q4_K.gguf, Q4_K",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q5_K.gguf, Q5_K",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q6_K.gguf, Q6_K",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q2_K-mix.gguf, Q2_K",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q3_K_M.gguf, Q3_K",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q4_K_M.gguf, Q4_K",
            "golden/synth/models/synth-small-F32.gguf, golden/synth/models/synth-small-Q5_K_M.gguf, Q5_K",
    })
    void requantizingTheF32ModelReproducesLlamaQuantize(String f32Name, String quantName, GgmlType mainType)
            throws IOException {
        Path root = Shared.root();
        Map<GgmlType, Integer> tensorsPerType = new EnumMap<>(GgmlType.class);
        try (GgufFile f32 = GgufFile.open(root.resolve(f32Name)); GgufFile quant = GgufFile.open(root.resolve(quantName))) {
            assertEquals(f32.tensors().size(), quant.tensors().size(), "tensor count");
            for (GgufTensorInfo q : quant.tensors()) {
                GgufTensorInfo src = f32.tensor(q.name());
                assertEquals(GgmlType.F32, src.type(), q.name() + " source type");
                assertEquals(src.elementCount(), q.elementCount(), q.name() + " element count");
                tensorsPerType.merge(q.type(), 1, Integer::sum);

                float[] values = Dequantize.row(GgmlType.F32, f32.tensorData(src), 0,
                        Math.toIntExact(src.elementCount()));
                int rowLength = Math.toIntExact(q.rowLength());
                long rowBytes = q.type().rowBytes(rowLength);
                MemorySegment expected = quant.tensorData(q);
                MemorySegment actual = MemorySegment.ofArray(new byte[Math.toIntExact(expected.byteSize())]);
                for (long r = 0; r < q.rows(); r++) {
                    Quantize.row(q.type(), values, Math.toIntExact(r * rowLength), rowLength, actual, r * rowBytes);
                }
                long mismatch = expected.mismatch(actual);
                if (mismatch >= 0) {
                    int bpb = q.type().bytesPerBlock();
                    long badBlocks = 0;
                    for (long b = 0; b < expected.byteSize() / bpb; b++) {
                        if (expected.asSlice(b * bpb, bpb).mismatch(actual.asSlice(b * bpb, bpb)) >= 0) {
                            badBlocks++;
                        }
                    }
                    fail(quantName + ": tensor " + q.name() + " (" + q.type() + ") differs from llama-quantize at byte "
                            + mismatch + " (block " + mismatch / bpb + "; " + badBlocks + " of "
                            + expected.byteSize() / bpb + " blocks differ)");
                }
            }
        }
        assertTrue(tensorsPerType.getOrDefault(mainType, 0) > 0, quantName + " has " + mainType + " tensors: " + tensorsPerType);
    }
}
