package io.edgellm.bench.runner;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.bench.support.SharedData;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The runner's bookkeeping and output shape with a fake model (the engine-backed run is {@code BenchCommandTest}). */
class BenchCommandFakeTest {

    @TempDir
    Path dir;

    static String run(BenchCommand cmd, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(cmd);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        assertEquals(0, rc, "exit code; stderr: " + err + "\nstdout: " + out);
        return out.toString();
    }

    /** A fixture power source: Jetson Orin Nano INA3221 with a constant 5 W on VDD_IN. */
    static Path orinNano(Path root) throws Exception {
        String hw = "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/";
        for (String[] f : new String[][] {{"in1_label", "VDD_IN"}, {"in1_input", "5000"}, {"curr1_input", "1000"}}) {
            Path p = root.resolve(hw + f[0]);
            Files.createDirectories(p.getParent());
            Files.writeString(p, f[1] + "\n");
        }
        return root;
    }

    @Test
    void sweepWithPowerFixtureGivesEveryRowAndEnergyColumns() throws Exception {
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        Path sysfs = orinNano(dir.resolve("sys"));
        BenchCommand cmd = new BenchCommand();
        cmd.factory = (m, t, nCtx) -> new FakeTarget(512, nCtx, t);
        String md = run(cmd, "-m", model.toString(), "-p", "8,16", "-n", "4", "-d", "0,8", "-t", "1,2", "-r", "2",
                "--idle", "0", "--sysfs", sysfs.toString(), "--power-interval", "5", "--n-seq", "1,2", "--no-warmup",
                "--plot", dir.resolve("plots").toString());
        assertTrue(md.startsWith("| model"), md);
        assertTrue(md.contains(" t/s |"), md);
        assertTrue(md.contains("tg4 @ d8 (n_seq 2)"), md);
        assertTrue(md.contains("pp16 @ d8"), md);
        assertTrue(md.contains("not supported"), md);   // the fake target has no multi-sequence decode
        // 2 threads × 2 depths × (2 pp + 1 tg at n_seq 1 + 1 tg at n_seq 2) = 16 rows (pp only at n_seq 1)
        JsonNode rows = new ObjectMapper().readTree(dir.resolve("plots/results.json").toFile());
        assertEquals(16, rows.size());
        JsonNode pp = rows.get(0);
        assertEquals("pp8", pp.get("test").asText());
        assertEquals(2, pp.get("samples_ts").size());
        assertEquals(5.0, pp.get("prefill_w").asDouble(), 1e-9);          // constant 5 W, exactly
        assertTrue(pp.get("prefill_j_per_token").asDouble() > 0);
        assertTrue(pp.get("decode_w").isNull());
        JsonNode tg = rows.get(2);
        assertEquals("tg4", tg.get("test").asText());
        assertEquals(5.0, tg.get("decode_w").asDouble(), 1e-9);
        assertTrue(tg.get("ms_per_token_p95").asDouble() >= tg.get("ms_per_token_p50").asDouble());
        assertTrue(pp.get("power_source").asText().contains("VDD_IN"));
        assertTrue(Files.size(dir.resolve("plots/pp_ts_vs_n_prompt.png")) > 1000);
        assertTrue(Files.readString(dir.resolve("plots/tg_jpt_vs_threads.svg")).contains("<svg"));
        assertTrue(Files.readString(dir.resolve("plots/results.csv")).startsWith("model,"));
    }

    @Test
    void noPowerSourceSaysNoneAndJsonHasNulls() throws Exception {
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        BenchCommand cmd = new BenchCommand();
        cmd.factory = (m, t, nCtx) -> new FakeTarget(512, nCtx, t);
        String json = run(cmd, "-m", model.toString(), "-p", "8", "-n", "4", "-r", "1", "-t", "1", "--power", "none",
                "-o", "jsonl");
        String[] lines = json.strip().split("\n");
        assertEquals(2, lines.length);
        JsonNode row = new ObjectMapper().readTree(lines[0]);
        assertTrue(row.get("prefill_j_per_token").isNull());
        assertTrue(row.get("power_source").asText().startsWith("none"));
        assertTrue(row.get("kv_cache_bytes").asLong() > 0);
        assertEquals("Q8_0", row.get("model_type").asText());
    }

    @Test
    void rowsCarryTemperatureClockAndThrottleFromTheFixtureAndPowerFromACommand() throws Exception {
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        Path sysfs = Path.of(getClass().getResource("/sysfs/rpi5").toURI());
        BenchCommand cmd = new BenchCommand();
        cmd.factory = (m, t, nCtx) -> new FakeTarget(512, nCtx, t);
        cmd.commands = c -> {
            if (String.join(" ", c).equals("sh -c my-usb-meter --watts")) return "6.5\n";
            throw new java.io.IOException(c.get(0) + ": not found");
        };
        String md = run(cmd, "-m", model.toString(), "-p", "8", "-n", "4", "-r", "2", "-t", "1", "--idle", "0",
                "--sysfs", sysfs.toString(), "--thermal-interval", "5", "--power-cmd", "my-usb-meter --watts",
                "--power-interval", "5", "--no-warmup", "--json", dir.resolve("r.json").toString());
        JsonNode row = new ObjectMapper().readTree(dir.resolve("r.json").toFile()).get(0);
        assertEquals(71.35, row.get("max_temp_c").asDouble(), 1e-9);
        assertEquals(0.8125, row.get("clock_mean_frac").asDouble(), 1e-9);
        assertEquals(0.625, row.get("clock_min_frac").asDouble(), 1e-9);
        assertTrue(row.get("throttle").asText().startsWith("0x80008"), row.toString());
        assertEquals(6.5, row.get("prefill_w").asDouble(), 1e-9);
        assertTrue(row.get("power_source").asText().contains("--power-cmd my-usb-meter"));
        assertTrue(md.contains("max °C") && md.contains("71.4") && md.contains("81%") && md.contains("63%"), md);
        assertTrue(md.contains("prefill W"), md);
        assertFalse(md.contains("thermal: none"), md);
    }

    @Test
    void withoutPowerOrThermalSourcesTheTableDropsThoseColumnsAndSaysNoneOnce() throws Exception {
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        BenchCommand cmd = new BenchCommand();
        cmd.factory = (m, t, nCtx) -> new FakeTarget(512, nCtx, t);
        cmd.commands = io.edgellm.bench.energy.CommandRunner.NONE;
        String md = run(cmd, "-m", model.toString(), "-p", "8", "-n", "4", "-r", "1", "-t", "1", "--power", "none",
                "--sysfs", dir.toString(), "--no-warmup");
        for (String col : new String[] {"prefill W", "decode J/tok", "idle W", "max °C", "clock mean", "| throttle"}) {
            assertFalse(md.contains(col), col + " in\n" + md);
        }
        assertTrue(md.contains("TTFT ms") && md.contains("peak RSS"), md);
        assertEquals(1, md.split("power: none", -1).length - 1, md);
        assertTrue(md.contains("thermal: none"), md);
    }
}
