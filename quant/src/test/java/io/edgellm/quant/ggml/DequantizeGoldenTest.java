package io.edgellm.quant.ggml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.quant.GgmlType;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link Dequantize#row} against llama.cpp's own dequantizer ({@code ggml_get_type_traits(type)->to_float}) on the
 * synthetic model's tensors in 12 types: ../shared/golden/synth/dequant (README "A.3", index.json). Raw blocks are
 * read at the absolute offset index.json gives; comparison is bit for bit ({@link Float#floatToRawIntBits}).
 * No exceptions: every value of every entry must match.
 */
class DequantizeGoldenTest {

    @TestFactory
    List<DynamicTest> everyGoldenTensorMatchesLlamaCppBitForBit() throws IOException {
        JsonNode index = new ObjectMapper().readTree(Shared.synthDequant("index.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        Set<GgmlType> covered = EnumSet.noneOf(GgmlType.class);
        for (JsonNode e : index.get("entries")) {
            GgmlType type = GgmlType.valueOf(e.get("ggml_type").asText());
            assertEquals(type.id(), e.get("ggml_type_id").asInt());
            covered.add(type);
            tests.add(DynamicTest.dynamicTest(e.get("file").asText(), () -> checkEntry(type, e)));
        }
        assertTrue(covered.containsAll(EnumSet.of(GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
                GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K,
                GgmlType.Q5_K, GgmlType.Q6_K)), "golden index covers " + covered);
        return tests;
    }

    private static void checkEntry(GgmlType type, JsonNode e) throws IOException {
        int rows = e.get("rows_stored").asInt();
        int rowLength = e.get("row_length").asInt();
        long rawOffset = e.get("raw_bytes_offset_in_gguf").asLong();
        long rowBytes = e.get("raw_bytes_per_row").asLong();
        assertEquals(type.rowBytes(rowLength), rowBytes, "row bytes");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment gguf = Shared.map(Shared.synthModel(e.get("source_gguf").asText()), arena);
            MemorySegment golden = Shared.map(Shared.synthDequant(e.get("file").asText()), arena);
            assertEquals((long) rows * rowLength * 4, golden.byteSize(), "golden file size");

            // the offset index.json gives is where our GGUF reader puts the tensor too
            try (GgufFile file = GgufFile.open(Shared.synthModel(e.get("source_gguf").asText()))) {
                GgufTensorInfo info = file.tensor(e.get("tensor").asText());
                assertEquals(type, info.type());
                assertEquals(rawOffset, file.dataOffset() + info.offset(), "tensor offset");
            }

            float[] row = new float[rowLength];
            int mismatches = 0;
            String first = null;
            for (int r = 0; r < rows; r++) {
                Dequantize.row(type, gguf, rawOffset + r * rowBytes, row, 0, rowLength);
                for (int i = 0; i < rowLength; i++) {
                    float expected = golden.get(LittleEndian.FLOAT, 4L * ((long) r * rowLength + i));
                    if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(row[i])) {
                        if (first == null) {
                            first = "row " + r + " col " + i + ": expected " + expected + " got " + row[i];
                        }
                        mismatches++;
                    }
                }
            }
            if (mismatches != 0) {
                fail(type + " " + e.get("tensor").asText() + ": " + mismatches + " of " + rows * rowLength
                        + " values differ; first at " + first);
            }
        }
    }
}
