package io.edgellm.bench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raspberry Pi 5 PMIC meter on a captured-format {@code vcgencmd pmic_read_adc} output, and {@code --power-cmd}. */
class PmicAndCommandMeterTest {

    static String capture() throws Exception {
        return Files.readString(Path.of(PmicAndCommandMeterTest.class.getResource("/vcgencmd/pmic_read_adc.txt").toURI()));
    }

    @Test
    void pairsCurrentAndVoltageByRailNameAndSumsTheBoardFigure() throws Exception {
        PmicReader.Reading r = PmicReader.parse(capture());
        assertEquals(12, r.amps().size());                                 // EXT5V and BATT have no current: not rails
        assertFalse(r.amps().containsKey("EXT5V") || r.amps().containsKey("BATT"));
        assertEquals(List.of("3V7_WL_SW", "3V3_SYS", "1V8_SYS", "DDR_VDD2", "DDR_VDDQ", "1V1_SYS", "0V8_SW", "VDD_CORE",
                "3V3_DAC", "3V3_ADC", "0V8_AON", "HDMI"), List.copyOf(r.amps().keySet()));
        assertEquals(4.37812000 * 0.82117180, r.watts("VDD_CORE"), 1e-12); // current(7) with volt(15): by name
        assertEquals(5.12081, r.inputVolts(), 1e-12);
        double sum = 0;
        for (String rail : r.amps().keySet()) sum += r.amps().get(rail) * r.volts().get(rail);
        assertEquals(sum, r.totalWatts(), 1e-12);
        assertEquals(5.0, r.totalWatts(), 0.2);                            // a busy Pi 5: about 5 W on the PMIC rails
    }

    @Test
    void meterSamplesAllRailsWithOneCommandPerTick() throws Exception {
        AtomicLong calls = new AtomicLong();
        String out = capture();
        CommandRunner runner = cmd -> {
            assertEquals(List.of("vcgencmd", "pmic_read_adc"), cmd);
            calls.incrementAndGet();
            return out;
        };
        Probe p = PmicReader.probe(runner);
        assertTrue(p.found());
        PowerMeter m = p.meter();
        assertTrue(m.description().startsWith("Raspberry Pi 5 PMIC") && m.description().contains("VDD_CORE")
                && m.description().contains("EXT5V 5.121 V"), m.description());
        assertTrue(m.totalNote().contains("under-reads the wall"));
        assertEquals(12, m.totalRails().length);
        long[] t = {0};
        SamplingEnergyMeter s = new SamplingEnergyMeter(m, null, () -> t[0]);
        long before = calls.get();
        EnergyMeter.Window w = s.start();
        t[0] += 2_000_000_000L;
        EnergyResult e = w.stop();
        assertEquals(2, calls.get() - before);                              // one command per tick, not one per rail
        assertEquals(PmicReader.parse(out).totalWatts(), e.averageWatts(), 1e-9);
        assertEquals(4.37812000 * 0.82117180 * 2, e.railJoules().get("VDD_CORE"), 1e-9);
    }

    @Test
    void aPiWithoutThePmicOrNoVcgencmdFindsNothing() throws Exception {
        assertFalse(PmicReader.probe(cmd -> "error=1 error_msg=\"Command not registered\"\n").found());
        assertFalse(PmicReader.probe(CommandRunner.NONE).found());
        IOException e = assertThrows(IOException.class, () -> PmicReader.parse("VDD_CORE_A current(7)=1.0A\n"));
        assertTrue(e.getMessage().contains("no rail with both"), e.getMessage());
    }

    @Test
    void detectionFallsBackToThePmicWhenSysfsHasNoRail(@TempDir Path dir) throws Exception {
        String out = capture();
        EnergyMeters.Detection d = EnergyMeters.probe(new Sysfs(dir), cmd -> out);
        assertTrue(d.meter() instanceof PmicReader);
        // a sysfs rail wins over the PMIC
        SysfsFixture.orinNano(dir.resolve("orin"));
        PowerMeter orin = EnergyMeters.probe(new Sysfs(dir.resolve("orin")), cmd -> out).meter();
        assertTrue(orin.description().contains("INA3221"), orin.description());
    }

    @Test
    void powerCommandTakesTheFirstNumberAndRejectsOutputWithout() throws Exception {
        assertEquals(4.25, CommandPowerMeter.parseWatts("4.25\n"));
        assertEquals(12.5, CommandPowerMeter.parseWatts("power: 12.5 W (5.02 V, 2.49 A)"));
        assertThrows(IOException.class, () -> CommandPowerMeter.parseWatts("meter not connected"));
        CommandPowerMeter m = new CommandPowerMeter("echo 3.5", CommandRunner.system(java.time.Duration.ofSeconds(5)));
        assertEquals(3.5, m.read(0), 1e-12);                                 // through a real shell
        assertEquals("power-cmd", m.rails().get(0).name());
        CommandPowerMeter bad = new CommandPowerMeter("exit 3", CommandRunner.system(java.time.Duration.ofSeconds(5)));
        IOException e = assertThrows(IOException.class, () -> bad.read(0));
        assertTrue(e.getMessage().contains("exit 3"), e.getMessage());
    }
}
