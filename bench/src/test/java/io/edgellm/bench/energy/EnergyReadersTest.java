package io.edgellm.bench.energy;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sysfs readers and the sampler on fixture trees, with a fake clock: no sleeping, exact joules. */
class EnergyReadersTest {

    @TempDir
    Path dir;

    /** A fake monotonic clock in nanoseconds. */
    private final AtomicLong now = new AtomicLong();

    private SamplingEnergyMeter meter(PowerMeter pm) {
        return new SamplingEnergyMeter(pm, null, now::get);
    }

    private void advanceSeconds(SamplingEnergyMeter m, double s) {
        now.addAndGet((long) (s * 1e9));
        m.tick();
    }

    @Test
    void orinNanoUsesVddInAsBoardTotalAndIntegratesTrapezoid() {
        SysfsFixture f = SysfsFixture.orinNano(dir);
        PowerMeter pm = EnergyMeters.probe(new Sysfs(dir)).meter();
        assertNotNull(pm);
        assertEquals(List.of("VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"), pm.rails().stream().map(Rail::name).toList());
        assertTrue(pm.description().startsWith("Jetson INA3221 (hwmon)"), pm.description());
        assertTrue(pm.totalNote().startsWith("VDD_IN"), pm.totalNote());

        try (SamplingEnergyMeter m = meter(pm)) {
            EnergyMeter.Window w = m.start();                 // t=0: VDD_IN 5 W
            advanceSeconds(m, 1);                             // t=1: 5 W
            f.put("bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/curr1_input", 2000);
            advanceSeconds(m, 1);                             // t=2: 10 W
            now.addAndGet(1_000_000_000L);                    // t=3: stop reads 10 W
            EnergyResult r = w.stop();
            assertTrue(r.available());
            assertEquals(3.0, r.seconds(), 1e-9);
            // 5·1 + (5+10)/2·1 + 10·1 = 22.5 J on VDD_IN; only VDD_IN counts toward the total
            assertEquals(22.5, r.joules(), 1e-9);
            assertEquals(22.5, r.railJoules().get("VDD_IN"), 1e-9);
            assertEquals(6.0, r.railJoules().get("VDD_CPU_GPU_CV"), 1e-9);
            assertEquals(3.0, r.railJoules().get("VDD_SOC"), 1e-9);
            assertEquals(7.5, r.averageWatts(), 1e-9);
            assertEquals(4, r.samples());
            assertTrue(r.warnings().isEmpty());
            // idle baseline 4 W → 22.5 - 12 J above idle
            assertEquals(10.5, r.aboveIdleJoules(4.0), 1e-9);
        }
    }

    @Test
    void agxOrinSumsRailsSkipsUnconnectedAndSaysItUnderReads() {
        SysfsFixture.agxOrin(dir);
        PowerMeter pm = EnergyMeters.probe(new Sysfs(dir)).meter();
        assertNotNull(pm);
        assertEquals(List.of("VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0", "VDDQ_VDD2_1V8AO"),
                pm.rails().stream().map(Rail::name).toList());
        assertTrue(pm.totalNote().contains("under-reads"), pm.totalNote());
        try (SamplingEnergyMeter m = meter(pm)) {
            EnergyMeter.Window w = m.start();
            advanceSeconds(m, 2);
            EnergyResult r = w.stop();
            assertEquals((3 + 2 + 1 + 0.5) * 2, r.joules(), 1e-9); // every rail summed
            assertTrue(r.toString().contains("under-reads"), r.toString());
        }
    }

    @Test
    void olderIioLayoutReadsMilliwatts() {
        String d = "bus/i2c/drivers/ina3221x/6-0040/iio:device0/";
        new SysfsFixture(dir)
                .put(d + "rail_name_0", "POM_5V_IN").put(d + "in_power0_input", 3000)
                .put(d + "rail_name_1", "POM_5V_GPU").put(d + "in_power1_input", 500)
                .put(d + "rail_name_2", "POM_5V_CPU").put(d + "in_power2_input", 1000);
        PowerMeter pm = EnergyMeters.probe(new Sysfs(dir)).meter();
        assertNotNull(pm);
        assertTrue(pm.description().contains("iio"));
        try (SamplingEnergyMeter m = meter(pm)) {
            EnergyMeter.Window w = m.start();
            advanceSeconds(m, 4);
            EnergyResult r = w.stop();
            assertEquals(12.0, r.joules(), 1e-9);           // POM_5V_IN only: 3 W × 4 s
            assertEquals(4.0, r.railJoules().get("POM_5V_CPU"), 1e-9);
        }
    }

    private static SysfsFixture rapl(Path dir) {
        return new SysfsFixture(dir)
                .put("class/powercap/intel-rapl/enabled", 1)
                .put("class/powercap/intel-rapl:0/name", "package-0")
                .put("class/powercap/intel-rapl:0/energy_uj", 900_000)
                .put("class/powercap/intel-rapl:0/max_energy_range_uj", 1_000_000)
                .put("class/powercap/intel-rapl:0:0/name", "core")
                .put("class/powercap/intel-rapl:0:0/energy_uj", 100)
                .put("class/powercap/intel-rapl:0:0/max_energy_range_uj", 1_000_000)
                .put("class/powercap/intel-rapl:0:2/name", "dram")
                .put("class/powercap/intel-rapl:0:2/energy_uj", 0)
                .put("class/powercap/intel-rapl:0:2/max_energy_range_uj", 1_000_000)
                // MMIO view of the same package counter: must not be counted again
                .put("class/powercap/intel-rapl-mmio:0/name", "package-0")
                .put("class/powercap/intel-rapl-mmio:0/energy_uj", 5_000);
    }

    @Test
    void raplCountsPackagePlusDramAcrossAWrapAndNotSubzones() {
        SysfsFixture f = rapl(dir);
        PowerMeter pm = EnergyMeters.probe(new Sysfs(dir)).meter();
        assertNotNull(pm);
        assertEquals(List.of("package-0", "package-0/core", "package-0/dram"),
                pm.rails().stream().map(Rail::name).toList());
        try (SamplingEnergyMeter m = meter(pm)) {
            EnergyMeter.Window w = m.start();                                   // pkg 0.90 J
            f.put("class/powercap/intel-rapl:0/energy_uj", 950_000);
            f.put("class/powercap/intel-rapl:0:0/energy_uj", 50_100);
            advanceSeconds(m, 1);                                               // pkg 0.95 J
            f.put("class/powercap/intel-rapl:0/energy_uj", 100_000);           // wrapped past 1 J
            f.put("class/powercap/intel-rapl:0:0/energy_uj", 80_100);
            f.put("class/powercap/intel-rapl:0:2/energy_uj", 300_000);
            advanceSeconds(m, 1);
            EnergyResult r = w.stop();
            // package: 0.05 + (1.0 - 0.95 + 0.10) = 0.20 J; dram 0.30 J; core (inside package) not added
            assertEquals(0.20, r.railJoules().get("package-0"), 1e-9);
            assertEquals(0.08, r.railJoules().get("package-0/core"), 1e-9);
            assertEquals(0.50, r.joules(), 1e-9);
            assertEquals(0.25, r.averageWatts(), 1e-9);
        }
    }

    @Test
    void raplRootOnlyCountersGiveOneClearPermissionMessage() {
        rapl(dir);
        Sysfs rootOnly = new Sysfs(dir) {
            @Override
            public String readString(Path file) throws IOException {
                if (file.getFileName().toString().equals("energy_uj")) {
                    throw new AccessDeniedException(file.toString()); // what a non-root user gets since Linux 5.10
                }
                return super.readString(file);
            }
        };
        EnergyMeter m = EnergyMeters.detect(rootOnly, null);
        assertFalse(m.available());
        String d = m.description();
        assertTrue(d.startsWith("none"), d);
        assertTrue(d.contains("chmod o+r") && d.contains("udev") && d.contains("5.10"), d);
        assertEquals(1, d.split("CVE-2020-8694", -1).length - 1, "the hint appears once: " + d);
        EnergyResult r = m.start().stop();
        assertFalse(r.available());
        assertTrue(Double.isNaN(r.joules()));
        assertTrue(Double.isNaN(r.averageWatts()));
        assertTrue(r.toString().startsWith("power: none"), r.toString());
    }

    @Test
    void hwmonPowerAndEnergyChannels() {
        SysfsFixture f = new SysfsFixture(dir)
                .put("class/hwmon/hwmon0/name", "acpitz").put("class/hwmon/hwmon0/temp1_input", 40000)
                .put("class/hwmon/hwmon1/name", "amdgpu").put("class/hwmon/hwmon1/power1_average", 15_000_000)
                .put("class/hwmon/hwmon2/name", "amd_energy")
                .put("class/hwmon/hwmon2/energy1_label", "Ecore000").put("class/hwmon/hwmon2/energy1_input", 0)
                .put("class/hwmon/hwmon2/energy2_label", "Esocket0").put("class/hwmon/hwmon2/energy2_input", 1_000_000);
        PowerMeter pm = EnergyMeters.probe(new Sysfs(dir)).meter();
        assertNotNull(pm);
        assertEquals(List.of("amdgpu/power1", "amd_energy/Ecore000", "amd_energy/Esocket0"),
                pm.rails().stream().map(Rail::name).toList());
        try (SamplingEnergyMeter m = meter(pm)) {
            EnergyMeter.Window w = m.start();
            f.put("class/hwmon/hwmon2/energy1_input", 2_000_000);
            f.put("class/hwmon/hwmon2/energy2_input", 6_000_000);
            advanceSeconds(m, 2);
            EnergyResult r = w.stop();
            assertEquals(30.0, r.railJoules().get("amdgpu/power1"), 1e-9);   // 15 W × 2 s
            assertEquals(2.0, r.railJoules().get("amd_energy/Ecore000"), 1e-9);
            assertEquals(35.0, r.joules(), 1e-9);                            // gpu + socket; the core is inside the socket
        }
    }

    @Test
    void railThatVanishesMidRunIsReportedAndCountsOnlyWhileReadable() {
        SysfsFixture f = SysfsFixture.orinNano(dir);
        PowerMeter pm = EnergyMeters.probe(new Sysfs(dir)).meter();
        try (SamplingEnergyMeter m = meter(pm)) {
            EnergyMeter.Window w = m.start();
            advanceSeconds(m, 1);                                                // CPU rail 2 W for 1 s
            f.delete("bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/curr2_input");
            advanceSeconds(m, 1);
            advanceSeconds(m, 1);
            EnergyResult r = w.stop();
            assertEquals(2.0, r.railJoules().get("VDD_CPU_GPU_CV"), 1e-9);
            assertEquals(15.0, r.joules(), 1e-9);                                // VDD_IN unaffected: 5 W × 3 s
            assertEquals(1, r.warnings().size(), r.warnings().toString());
            assertTrue(r.warnings().get(0).contains("VDD_CPU_GPU_CV"), r.warnings().get(0));
            assertTrue(r.toString().contains("warning"));
            // A later window, after the rail is gone for good, still works and warns again.
            EnergyMeter.Window w2 = m.start();
            advanceSeconds(m, 1);
            EnergyResult r2 = w2.stop();
            assertEquals(5.0, r2.joules(), 1e-9);
            assertEquals(0.0, r2.railJoules().get("VDD_CPU_GPU_CV"), 1e-9);
            assertFalse(r2.warnings().isEmpty());
        }
    }

    @Test
    void nothingReadableMeansPowerNoneNotZeros() {
        new SysfsFixture(dir).put("class/hwmon/hwmon0/name", "coretemp").put("class/hwmon/hwmon0/temp1_input", 1);
        EnergyMeter m = EnergyMeters.detect(dir);
        assertFalse(m.available());
        EnergyResult r = m.start().stop();
        assertTrue(Double.isNaN(r.joules()));
        assertTrue(Double.isNaN(r.joulesPer(10)));
        assertTrue(r.toString().startsWith("power: none"), r.toString());
        assertTrue(Double.isNaN(EnergyMeters.idleWatts(m, Duration.ofMillis(1))));
    }

    @Test
    void idleBaselineWithInjectedSleep() {
        SysfsFixture.orinNano(dir);
        try (SamplingEnergyMeter m = meter(EnergyMeters.probe(new Sysfs(dir)).meter())) {
            double idle = EnergyMeters.idleWatts(m, Duration.ofSeconds(2), d -> {
                advanceSeconds(m, 1);
                advanceSeconds(m, 1);
            });
            assertEquals(5.0, idle, 1e-9);
        }
    }

    @Test
    void counterDeltaHandlesWrapAndNoWrapRange() {
        assertEquals(0.3, SamplingEnergyMeter.counterDelta(0.1, 0.4, 1.0), 1e-12);
        assertEquals(0.3, SamplingEnergyMeter.counterDelta(0.9, 0.2, 1.0), 1e-12);
        assertEquals(0.0, SamplingEnergyMeter.counterDelta(0.9, 0.2, Double.POSITIVE_INFINITY), 1e-12);
    }

    @Test
    void backgroundSamplerIntegratesConstantPowerExactly() throws Exception {
        SysfsFixture.orinNano(dir);
        // Real clock and thread: constant 5 W, so the integral is 5 W × elapsed whatever the sample times were.
        try (EnergyMeter m = EnergyMeters.detect(new Sysfs(dir), Duration.ofMillis(5))) {
            assertTrue(m.available());
            EnergyMeter.Window w = m.start();
            Thread.sleep(60);
            EnergyResult r = w.stop();
            assertEquals(5.0 * r.seconds(), r.joules(), 1e-9);
            assertTrue(r.samples() >= 2);
        }
    }
}
