package io.edgellm.bench.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.bench.support.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --duration}: a short sustained run on the tiny model, and the summary arithmetic. */
class SustainedRunTest {

    @Test
    void threeSecondRunWritesTheTimeSeriesAndChartAndSaysTemperatureIsAbsent(@TempDir Path dir) throws Exception {
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        BenchCommand cmd = new BenchCommand();
        cmd.commands = io.edgellm.bench.energy.CommandRunner.NONE;
        String out = BenchCommandFakeTest.run(cmd, "-m", model.toString(), "--duration", "3s", "-t", "1", "-n", "32",
                "--power", "none", "--sysfs", dir.resolve("nosys").toString(), "--plot", dir.toString());
        List<String> csv = Files.readAllLines(dir.resolve("sustained.csv"));
        assertEquals("t_s,tokens_per_s,watts,max_temp_c,clock_mean_frac,clock_min_frac,throttle", csv.get(0));
        assertTrue(csv.size() >= 8, csv.size() + " points");                  // 300 ms intervals over 3 s
        for (String line : csv.subList(1, csv.size())) {
            String[] c = line.split(",", -1);
            assertTrue(Double.parseDouble(c[1]) > 0, line);
            assertEquals("", c[2] + c[3] + c[4] + c[5] + c[6], "absent sensors are empty cells, never 0: " + line);
        }
        double last = Double.parseDouble(csv.get(csv.size() - 1).split(",")[0]);
        assertEquals(3.0, last, 0.5);
        assertTrue(Files.size(dir.resolve("sustained_ts.png")) > 1000);
        assertFalse(Files.exists(dir.resolve("sustained_temp.png")), "no temperature chart without a sensor");
        assertTrue(out.contains("steady state") && out.contains("time to throttle: unknown"), out);
        assertTrue(out.contains("thermal: none"), out);
    }

    @Test
    void summaryComparesFirstAndLastFifthAndFindsTheClockDrop() {
        List<SustainedRun.Point> pts = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            double clock = i <= 40 ? 1.0 : 0.7;                               // throttles at 41 s
            pts.add(new SustainedRun.Point(i, i <= 40 ? 10 : 7, 5, 80, clock, clock, -1));
        }
        SustainedRun.Result r = SustainedRun.summarize(pts);
        assertEquals(20, r.firstSeconds(), 1e-9);
        assertEquals(10, r.firstTs(), 1e-9);
        assertEquals(7, r.steadyTs(), 1e-9);
        assertEquals(41, r.throttleSeconds(), 1e-9);
        assertTrue(r.summary().contains("70.0 % of the start") && r.summary().contains("time to throttle: 41.0 s"), r.summary());
        pts.replaceAll(p -> new SustainedRun.Point(p.seconds(), 10, 5, 60, 1, 1, 0));
        assertEquals("not observed", SustainedRun.summarize(pts).summary().lines().filter(l -> l.startsWith("time"))
                .findFirst().orElseThrow().substring("time to throttle: ".length()));
    }

    @Test
    void durationsParse() {
        assertEquals(Duration.ofMinutes(10), BenchCommand.parseDuration("10m"));
        assertEquals(Duration.ofSeconds(90), BenchCommand.parseDuration("90s"));
        assertEquals(Duration.ofMillis(500), BenchCommand.parseDuration("500ms"));
        assertEquals(Duration.ofHours(1), BenchCommand.parseDuration("1h"));
        assertThrows(IllegalArgumentException.class, () -> BenchCommand.parseDuration("soon"));
        assertThrows(IllegalArgumentException.class, () -> BenchCommand.parseDuration("-3s"));
    }
}
