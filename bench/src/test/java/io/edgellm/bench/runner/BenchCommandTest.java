package io.edgellm.bench.runner;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.bench.support.SharedData;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edgellm bench} in-process on a real tiny model through the engine: the output's structure, not its speed. */
class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void tinyStoriesTableJsonAndCharts() throws Exception {
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        String md = BenchCommandFakeTest.run(new BenchCommand(), "-m", model.toString(), "-p", "16", "-n", "4",
                "-d", "0,8", "-r", "1", "-t", "1", "--power", "none", "--plot", dir.toString(),
                "--json", dir.resolve("rows.json").toString());
        String[] lines = md.split("\n");
        assertEquals("| model", lines[0].substring(0, 7));
        for (String col : new String[] {"size", "params", "backend", "threads", "test", "t/s"}) {
            assertTrue(lines[0].contains(" " + col + " "), col + " in " + lines[0]);
        }
        assertTrue(lines[1].matches("\\|[ \\-:|]+"), lines[1]);
        assertTrue(lines[2].startsWith("| llama ") && lines[2].contains("Q8_0") && lines[2].contains(" pp16 "), lines[2]);
        assertTrue(lines[2].matches(".*\\| +[0-9.]+ ± [0-9.]+ \\|$"), "mean ± stddev: " + lines[2]);
        assertTrue(md.contains(" tg4 @ d8 "), md);
        assertTrue(md.contains("power: none"), md);
        assertTrue(md.contains(" mapped |") && md.contains(" heap |") && md.contains(" off-heap |"), md);

        JsonNode rows = new ObjectMapper().readTree(dir.resolve("rows.json").toFile());
        assertEquals(4, rows.size());   // pp16, tg4, pp16 @ d8, tg4 @ d8
        for (JsonNode r : rows) {
            assertTrue(r.get("avg_ts").asDouble() > 0);
            assertEquals(1, r.get("samples_ts").size());
            assertTrue(r.get("ttft_ms").asDouble() > 0);
            assertTrue(r.get("kv_cache_bytes").asLong() > 0);
            assertTrue(r.get("peak_rss_bytes").asLong() > 0);
            assertTrue(r.get("rss_mapped_bytes").asLong() > 0 && r.get("heap_committed_bytes").asLong() > 0
                    && r.get("rss_offheap_bytes").asLong() >= 0, r.toString());
            assertTrue(r.get("prefill_w").isNull() && r.get("decode_j_per_token").isNull());
            assertTrue(r.get("ggml_types").asText().contains("Q8_0"));
            assertFalse(r.get("cpu").asText().isEmpty());
        }
        assertEquals(8, rows.get(2).get("n_depth").asInt());
        assertTrue(Files.exists(dir.resolve("results.json")));
        assertTrue(Files.size(dir.resolve("pp_ts_vs_n_depth.png")) > 1000);
        assertTrue(Files.readString(dir.resolve("tg_ts_vs_n_depth.svg")).contains("<svg"));
        assertFalse(Files.exists(dir.resolve("tg_jpt_vs_n_depth.png")), "no J/token charts without a power source");
        assertFalse(Files.exists(dir.resolve("pp_ts_vs_threads.png")), "threads not swept: no single-point chart");
        assertFalse(Files.exists(dir.resolve("pp_ts_vs_n_prompt.png")), "n_prompt not swept");
        String sub = Charts.subtitle(java.util.List.of(new ObjectMapper().configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false).treeToValue(rows.get(0), BenchRow.class)));
        assertTrue(sub.contains("power: none") && sub.contains("threads 1") && sub.contains("-bit vectors")
                && sub.contains("JDK "), sub);
        java.nio.file.Files.copy(dir.resolve("tg_ts_vs_n_depth.png"), Path.of("target/chart-sample.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void batchAxisDecodesSequencesTogether() throws Exception {
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        int n = 6;
        for (String fmt : new String[] {"jsonl", "csv", "md"}) {
            String outText = BenchCommandFakeTest.run(new BenchCommand(), "-m", model.toString(), "-p", "4", "-n",
                    Integer.toString(n), "-np", "1,2", "-d", "3", "-r", "1", "-t", "1", "--power", "none", "--no-warmup",
                    "-o", fmt);
            switch (fmt) {
                case "jsonl" -> {
                    String[] lines = outText.split("\n");
                    assertEquals(3, lines.length, outText);   // pp4 @ d3, tg6 @ d3, tg6 @ d3 (n_seq 2)
                    JsonNode tg1 = new ObjectMapper().readTree(lines[1]), tg2 = new ObjectMapper().readTree(lines[2]);
                    assertEquals(1, new ObjectMapper().readTree(lines[0]).get("n_seq").asInt());
                    assertEquals(1, tg1.get("n_seq").asInt());
                    assertEquals(2, tg2.get("n_seq").asInt());
                    assertEquals("tg6 @ d3 (n_seq 2)", tg2.get("test").asText());
                    assertEquals("", tg2.get("note").asText(), "np × n tokens decoded, no shortfall note");
                    // aggregate t/s over np × n tokens: avg_ns is the decode time, so t/s × s = 2 × 6 tokens
                    assertEquals(2.0 * n, tg2.get("avg_ts").asDouble() * tg2.get("avg_ns").asDouble() / 1e9, 1e-6);
                    assertEquals(1.0 * n, tg1.get("avg_ts").asDouble() * tg1.get("avg_ns").asDouble() / 1e9, 1e-6);
                    assertEquals(tg2.get("avg_ts").asDouble() / 2, tg2.get("avg_ts_per_seq").asDouble(), 1e-9);
                    assertEquals(tg1.get("avg_ts").asDouble(), tg1.get("avg_ts_per_seq").asDouble(), 1e-9);
                    assertTrue(tg2.get("ttft_ms").isNull() && tg2.get("avg_ts").asDouble() > 0, tg2.toString());
                }
                case "csv" -> {
                    String[] lines = outText.split("\n");
                    String sep = ",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)";   // commas outside quotes
                    java.util.List<String> head = java.util.List.of(lines[0].split(sep));
                    int col = head.indexOf("n_seq");
                    assertTrue(col >= 0, lines[0]);
                    assertEquals(4, lines.length, outText);
                    assertEquals("1", lines[2].split(sep)[col]);
                    assertEquals("2", lines[3].split(sep)[col]);
                }
                default -> assertTrue(outText.contains(" tg6 @ d3 (n_seq 2) ") && outText.contains(" t/s per seq "), outText);
            }
        }
    }
}
