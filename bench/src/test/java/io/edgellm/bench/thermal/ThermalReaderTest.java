package io.edgellm.bench.thermal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.bench.energy.CommandRunner;
import io.edgellm.bench.energy.Sysfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thermal, cpufreq and throttle readers on fixture sysfs trees ({@code src/test/resources/sysfs}). */
class ThermalReaderTest {

    static Path resource(String name) {
        try {
            return Path.of(ThermalReaderTest.class.getResource("/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException(name, e);
        }
    }

    static String text(String name) {
        try {
            return Files.readString(resource(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers vcgencmd / nvpmodel from the captured outputs in {@code src/test/resources/vcgencmd}. */
    static CommandRunner captured(boolean pi, boolean jetson) {
        return cmd -> switch (String.join(" ", cmd)) {
            case "vcgencmd get_throttled" -> {
                if (pi) yield text("vcgencmd/get_throttled.txt");
                throw new IOException("vcgencmd: not found");
            }
            case "vcgencmd pmic_read_adc" -> {
                if (pi) yield text("vcgencmd/pmic_read_adc.txt");
                throw new IOException("vcgencmd: not found");
            }
            case "nvpmodel -q" -> {
                if (jetson) yield text("vcgencmd/nvpmodel-q.txt");
                throw new IOException("nvpmodel: not found");
            }
            default -> throw new IOException(cmd + ": not found");
        };
    }

    @Test
    void raspberryPi5TreeGivesTemperatureClocksAndSysfsThrottleFlags() {
        ThermalReader r = ThermalReader.probe(new Sysfs(resource("sysfs/rpi5")), CommandRunner.NONE);
        assertTrue(r.available());
        ThermalSample s = r.sample();
        assertEquals(71.35, s.maxTempC(), 1e-9);
        assertEquals((1 + 1 + 0.625 + 0.625) / 4, s.meanClockFrac(), 1e-9);
        assertEquals(0.625, s.minClockFrac(), 1e-9);
        assertEquals(0x80008, s.throttleBits());              // soft temperature limit, now and since boot
        assertTrue(ThrottleFlags.throttled(s.throttleBits()));
        assertEquals("0x80008 (now: soft-temp-limit; since boot: soft-temp-limit)", ThrottleFlags.describe(s.throttleBits()));
        assertTrue(r.description().contains("cpu-thermal") && r.description().contains("cpufreq on 4 CPUs (max 2400 MHz)")
                && r.description().contains("soc:firmware/get_throttled"), r.description());
    }

    @Test
    void jetsonTreeSkipsZoneWithoutTempAndNamesThePowerMode() {
        ThermalReader r = ThermalReader.probe(new Sysfs(resource("sysfs/jetson-orin-nano")), captured(false, true));
        ThermalSample s = r.sample();
        assertEquals(49.1, s.maxTempC(), 1e-9);                // tj-thermal, the hottest
        assertEquals((5 + 729600.0 / 1510400) / 6, s.meanClockFrac(), 1e-9);
        assertEquals(729600.0 / 1510400, s.minClockFrac(), 1e-9);
        assertEquals(-1, s.throttleBits());                    // no throttle source: absent, not 0
        assertEquals("15W (0)", r.powerMode());
        assertTrue(r.description().startsWith("4 thermal zones (cpu-thermal, gpu-thermal, soc0-thermal, tj-thermal)"),
                r.description());
        assertTrue(r.description().contains("nvpmodel: 15W (0)"), r.description());
    }

    @Test
    void throttleFlagsFromVcgencmdWhenSysfsHasNone(@TempDir Path dir) {
        ThermalReader r = ThermalReader.probe(new Sysfs(dir), captured(true, false));
        ThermalSample s = r.sample();
        assertEquals(0x50005, s.throttleBits());
        assertTrue(Double.isNaN(s.maxTempC()) && Double.isNaN(s.meanClockFrac()));
        assertEquals("0x50005 (now: under-voltage, throttled; since boot: under-voltage, throttled)",
                ThrottleFlags.describe(s.throttleBits()));
    }

    @Test
    void noSensorsMeansNoneNeverZeros(@TempDir Path dir) throws Exception {
        ThermalReader r = ThermalReader.probe(new Sysfs(dir), CommandRunner.NONE);
        assertFalse(r.available());
        assertTrue(r.description().startsWith("none"), r.description());
        try (ThermalMonitor m = new ThermalMonitor(r, null)) {
            ThermalResult res = m.start().stop();
            assertEquals(ThermalResult.NONE, res);
            assertTrue(Double.isNaN(res.maxTempC()));
            assertEquals(-1, res.throttleBits());
            assertNull(m.sampleNow());
        }
    }

    @Test
    void monitorWindowTakesMaximumMeanAndMinimumOverItsSamples(@TempDir Path dir) throws Exception {
        Path z = dir.resolve("class/thermal/thermal_zone0");
        Path f = dir.resolve("devices/system/cpu/cpu0/cpufreq");
        Files.createDirectories(z);
        Files.createDirectories(f);
        Files.writeString(z.resolve("type"), "cpu-thermal\n");
        Files.writeString(z.resolve("temp"), "50000\n");
        Files.writeString(f.resolve("cpuinfo_max_freq"), "2000000\n");
        Files.writeString(f.resolve("scaling_cur_freq"), "2000000\n");
        try (ThermalMonitor m = new ThermalMonitor(ThermalReader.probe(new Sysfs(dir), CommandRunner.NONE), null)) {
            ThermalMonitor.Window w = m.start();                 // sample 1: 50 °C, 100 %
            Files.writeString(z.resolve("temp"), "82500\n");
            Files.writeString(f.resolve("scaling_cur_freq"), "1000000\n");
            m.sampleNow();                                       // sample 2: 82.5 °C, 50 %
            Files.writeString(z.resolve("temp"), "70000\n");
            ThermalResult r = w.stop();                          // sample 3: 70 °C, 50 %
            assertEquals(3, r.samples());
            assertEquals(82.5, r.maxTempC(), 1e-9);
            assertEquals(2.0 / 3, r.meanClockFrac(), 1e-9);
            assertEquals(0.5, r.minClockFrac(), 1e-9);
            ThermalResult both = ThermalResult.combine(List.of(r, new ThermalResult(90, 1, 1, 0x4, 1)));
            assertEquals(90, both.maxTempC(), 1e-9);
            assertEquals((2.0 + 1) / 4, both.meanClockFrac(), 1e-9);
            assertEquals(0.5, both.minClockFrac(), 1e-9);
            assertEquals(0x4, both.throttleBits());
        }
    }

    @Test
    void throttleParserAcceptsEveryFormAndRejectsGarbage() {
        assertEquals(0, ThrottleFlags.parse("throttled=0x0\n"));
        assertEquals(0x50000, ThrottleFlags.parse("50000"));
        assertEquals(0xE0008, ThrottleFlags.parse("0xE0008"));
        org.junit.jupiter.api.Assertions.assertThrows(NumberFormatException.class, () -> ThrottleFlags.parse("error=1"));
        assertEquals("-", ThrottleFlags.describe(-1));
        assertEquals("0x0", ThrottleFlags.describe(0));
    }
}
