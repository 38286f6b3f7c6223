package io.edgellm.quant.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The malformed-GGUF corpus of ../shared/golden/malformed (README section A.4, index.json): every file but
 * {@code zero_dim.gguf} is rejected with a {@link GgufFormatException} naming the file, the byte offset (the patched
 * offset where index.json gives one) and the defect.
 */
class GgufMalformedTest {
    /** A word each rejection message must contain. */
    private static final Map<String, String> EXPECTED_WORDS = Map.ofEntries(
            Map.entry("bad_magic.gguf", "magic"),
            Map.entry("empty_file.gguf", "empty"),
            Map.entry("version_1.gguf", "version 1"),
            Map.entry("version_4.gguf", "version 4"),
            Map.entry("version_byteswapped.gguf", "big-endian"),
            Map.entry("truncated_in_fixed_header.gguf", "truncated"),
            Map.entry("truncated_in_kv_section.gguf", "truncated"),
            Map.entry("truncated_in_tensor_infos.gguf", "truncated"),
            Map.entry("truncated_tensor_data.gguf", "past the end of the file"),
            Map.entry("truncated_at_data_start.gguf", "past the end of the file"),
            Map.entry("kv_key_len_2e63.gguf", "string length"),
            Map.entry("string_value_len_2e40.gguf", "string length"),
            Map.entry("tensor_count_2e40.gguf", "tensor_count"),
            Map.entry("kv_count_2e40.gguf", "metadata_kv_count"),
            Map.entry("array_count_overflow_f32.gguf", "tokenizer.ggml.scores"),
            Map.entry("array_count_max_u64_strings.gguf", "tokenizer.ggml.tokens"),
            Map.entry("unknown_kv_type.gguf", "unknown value type 13"),
            Map.entry("unknown_array_elem_type.gguf", "unknown element type 99"),
            Map.entry("tensor_data_past_eof.gguf", "blk.0.ffn_up.weight"),
            Map.entry("misaligned_tensor_offset.gguf", "not a multiple of the alignment"),
            Map.entry("unknown_ggml_type.gguf", "unknown ggml type 200"),
            Map.entry("removed_ggml_type_4.gguf", "removed"),
            Map.entry("negative_dim.gguf", "negative"),
            Map.entry("dims_product_overflow.gguf", "overflows"),
            Map.entry("n_dims_5.gguf", "dimensions 5"),
            Map.entry("duplicate_tensor_name.gguf", "duplicate tensor name 'blk.0.attn_k.weight'"),
            Map.entry("duplicate_kv_key.gguf", "duplicate metadata key 'tokenizer.ggml.tokens'"),
            Map.entry("alignment_not_power_of_2.gguf", "power of two"));

    private static final Pattern AT_OFFSET = Pattern.compile("at offset (\\d+)");

    record Case(String file, String change) {
        @Override
        public String toString() {
            return file;
        }
    }

    static List<Case> cases() throws IOException {
        JsonNode index = new ObjectMapper().readTree(SharedData.malformed().resolve("index.json").toFile());
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : index.get("cases")) {
            cases.add(new Case(c.get("file").asText(), c.get("change").asText()));
        }
        return cases;
    }

    @Test
    void indexCoversEveryDefectiveFile() throws IOException {
        // index.json lists 29 defects (the README says 30); every .gguf beside it except valid_base.gguf is one of them
        List<String> indexed = cases().stream().map(Case::file).toList();
        assertEquals(29, indexed.size());
        try (Stream<Path> files = Files.list(SharedData.malformed())) {
            List<String> ggufs = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".gguf"))
                    .filter(n -> !n.equals("valid_base.gguf")).sorted().toList();
            assertEquals(indexed.stream().sorted().toList(), ggufs);
        }
        for (String f : indexed) {
            assertTrue(f.equals("zero_dim.gguf") || EXPECTED_WORDS.containsKey(f), f);
        }
    }

    @Test
    void validBaseParses() throws IOException {
        try (GgufFile f = GgufFile.open(SharedData.malformed().resolve("valid_base.gguf"))) {
            assertEquals(3, f.version());
            assertEquals(12, f.tensors().size());
            assertEquals(21, f.metadata().size());
            assertEquals(12128, f.dataOffset());
            assertEquals(32, f.alignment());
            for (GgufTensorInfo t : f.tensors()) {
                assertEquals(t.byteSize(), f.tensorData(t).byteSize());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void handledAsSpecified(Case c) throws IOException {
        Path file = SharedData.malformed().resolve(c.file());
        if (c.file().equals("zero_dim.gguf")) {
            // A 0-element tensor is representable: the container accepts it, the engine's shape check rejects it.
            try (GgufFile f = GgufFile.open(file)) {
                GgufTensorInfo t = f.tensor("blk.0.ffn_up.weight");
                assertEquals(0, t.elementCount());
                assertEquals(0, t.rows());
                assertEquals(0, t.byteSize());
                assertEquals(0, f.tensorData(t).byteSize());
            }
            return;
        }
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> {
            try (GgufFile f = GgufFile.open(file)) {
                fail("accepted: " + f);
            }
        });
        String msg = e.getMessage();
        assertTrue(msg.contains(file.toString()), "names the file: " + msg);
        assertTrue(msg.contains("at byte offset " + e.offset() + ":"), "names the offset: " + msg);
        assertTrue(e.offset() >= 0 && e.offset() <= Math.max(Files.size(file), 0), msg);
        String word = EXPECTED_WORDS.get(c.file());
        assertTrue(e.defect().contains(word), "says '" + word + "': " + msg);
        Matcher m = AT_OFFSET.matcher(c.change());
        if (m.find()) {
            assertEquals(Long.parseLong(m.group(1)), e.offset(), "reports the patched offset: " + msg);
        }
    }
}
