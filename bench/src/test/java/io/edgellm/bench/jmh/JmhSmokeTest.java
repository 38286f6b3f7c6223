package io.edgellm.bench.jmh;

import static org.junit.jupiter.api.Assertions.*;

import io.edgellm.bench.support.SharedData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the prefill and decode benchmarks in-process (forks 0), one short iteration each, with the energy profiler
 * reading a fixture power source (a Jetson Orin Nano INA3221 at a constant 5 W). Asserts results exist; no timing.
 */
class JmhSmokeTest {

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty("edgellm.power.sysfs");
    }

    private Path orinNanoFixture() throws Exception {
        String hw = "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/";
        for (String[] f : new String[][] {{"in1_label", "VDD_IN"}, {"in1_input", "5000"}, {"curr1_input", "1000"}}) {
            Path p = dir.resolve("sys").resolve(hw + f[0]);
            Files.createDirectories(p.getParent());
            Files.writeString(p, f[1] + "\n");
        }
        return dir.resolve("sys");
    }

    private Collection<RunResult> run(String include, Class<? extends org.openjdk.jmh.profile.Profiler> profiler, String... params) throws Exception {
        OptionsBuilder b = new OptionsBuilder();
        b.include(include).forks(0).warmupIterations(0).measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100)).threads(1).shouldFailOnError(true)
                .addProfiler(profiler)
                .param("model", SharedData.path("models/TinyStories-656K-Q8_0.gguf").toString());
        for (int i = 0; i < params.length; i += 2) {
            b.param(params[i], params[i + 1]);
        }
        Options opts = b.build();
        return new Runner(opts).run();
    }

    @Test
    void prefillAndDecodeProduceResultsWithEnergy() throws Exception {
        System.setProperty("edgellm.power.sysfs", orinNanoFixture().toString());
        Collection<RunResult> results = run(PrefillBenchmark.class.getName() + "|" + DecodeBenchmark.class.getName(),
                EnergyProfiler.class, "promptLength", "16", "genLength", "4");
        assertEquals(2, results.size());
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getBenchmark());
            Map<String, Result> sec = r.getSecondaryResults();
            assertTrue(sec.containsKey("energy.W"), sec.keySet().toString());
            assertEquals(5.0, sec.get("energy.W").getScore(), 1e-6);   // constant 5 W on the fixture's VDD_IN
            assertTrue(sec.get("energy.J/op").getScore() > 0);
            assertTrue(sec.get("energy.J/token").getScore() > 0);
        }
    }

    @Test
    void aliasProfilerWithoutPowerSourceReportsNothing() throws Exception {
        System.setProperty("edgellm.power.sysfs", dir.resolve("empty").toString());
        Collection<RunResult> results = run(DecodeBenchmark.class.getName(), io.edgellm.bench.EnergyProfiler.class,
                "genLength", "2");
        RunResult r = results.iterator().next();
        assertTrue(r.getPrimaryResult().getScore() > 0);
        assertFalse(r.getSecondaryResults().containsKey("energy.W"));
    }
}
