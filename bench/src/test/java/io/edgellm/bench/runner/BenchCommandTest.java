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
}
