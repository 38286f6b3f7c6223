package io.edgellm.bench.energy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Finds the machine's power source and measures an idle baseline.
 *
 * <p>Detection order (the first source with at least one readable rail wins): Jetson INA3221 (hwmon, then the older
 * iio layout), Linux powercap RAPL, generic hwmon power/energy channels. When nothing is readable the meter is
 * {@link EnergyMeter#none(String)} and says why (for instance the RAPL permission hint).
 *
 * <p>System properties: {@code edgellm.power=none} disables measurement; {@code edgellm.power.sysfs=DIR} reads a
 * different sysfs root (a fixture tree); {@code edgellm.power.interval=MS} sets the sampling interval.
 */
public final class EnergyMeters {

    private EnergyMeters() {
    }

    /** What auto-detection found: the meter (null when none) and every note the readers produced. */
    public record Detection(PowerMeter meter, List<String> notes) {
        public Detection {
            notes = List.copyOf(notes);
        }
    }

    /** Runs every reader on the sysfs tree and returns the first that found readable rails. */
    public static Detection probe(Sysfs sysfs) {
        return probe(sysfs, CommandRunner.NONE);
    }

    /**
     * Runs every sysfs reader, then (Raspberry Pi 5, no power rail in sysfs) {@code vcgencmd pmic_read_adc}.
     *
     * @param sysfs    the tree
     * @param commands runs {@code vcgencmd}
     * @return the first source with readable rails
     */
    public static Detection probe(Sysfs sysfs, CommandRunner commands) {
        Detection d = probeSysfs(sysfs);
        if (d.meter() != null) return d;
        Probe p = PmicReader.probe(commands);
        return p.found() ? new Detection(p.meter(), d.notes()) : d;
    }

    private static Detection probeSysfs(Sysfs sysfs) {
        List<String> notes = new ArrayList<>();
        List<Function<Sysfs, Probe>> readers = List.of(Ina3221Reader::probe, RaplReader::probe, HwmonReader::probe);
        for (Function<Sysfs, Probe> reader : readers) {
            Probe p = reader.apply(sysfs);
            notes.addAll(p.notes());
            if (p.found()) {
                return new Detection(p.meter(), notes);
            }
        }
        return new Detection(null, notes);
    }

    /** The machine's meter (honouring the {@code edgellm.power*} system properties). */
    public static EnergyMeter detect() {
        if ("none".equalsIgnoreCase(System.getProperty("edgellm.power", ""))) {
            return EnergyMeter.none("disabled by -Dedgellm.power=none");
        }
        Path root = Path.of(System.getProperty("edgellm.power.sysfs", "/sys"));
        Duration interval = Duration.ofMillis(Long.getLong("edgellm.power.interval",
                SamplingEnergyMeter.DEFAULT_INTERVAL.toMillis()));
        return detect(new Sysfs(root), interval);
    }

    /** The meter for a sysfs tree rooted at {@code sysfsRoot} (a fixture in tests), default sampling interval. */
    public static EnergyMeter detect(Path sysfsRoot) {
        return detect(new Sysfs(sysfsRoot), SamplingEnergyMeter.DEFAULT_INTERVAL);
    }

    /**
     * The meter for a sysfs tree.
     *
     * @param interval background sampling interval of power rails; null for none (the caller ticks)
     */
    public static EnergyMeter detect(Sysfs sysfs, Duration interval) {
        return detect(sysfs, interval, CommandRunner.NONE);
    }

    /**
     * The meter for a sysfs tree, or the Raspberry Pi 5 PMIC through {@code commands}.
     *
     * @param interval background sampling interval of power rails; null for none (the caller ticks)
     * @param commands runs {@code vcgencmd} ({@link CommandRunner#NONE}: sysfs only)
     * @return the meter, or {@link EnergyMeter#none} with the reason
     */
    public static EnergyMeter detect(Sysfs sysfs, Duration interval, CommandRunner commands) {
        Detection d = probe(sysfs, commands);
        if (d.meter() == null) {
            String why = d.notes().isEmpty() ? "no INA3221, RAPL or hwmon power source under " + sysfs.root() + ", no Pi 5 PMIC (vcgencmd)"
                    : String.join("; ", d.notes());
            return EnergyMeter.none(why);
        }
        if (!d.notes().isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(EnergyMeters.class).info("power source notes: {}", d.notes());
        }
        return new SamplingEnergyMeter(d.meter(), interval);
    }

    /** Pauses the caller; tests pass one that advances a fake clock and ticks the meter. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /**
     * The idle baseline: average watts over {@code duration} while this process does nothing. NaN when the meter has
     * no source. Run it before the workload, with the machine otherwise quiet.
     */
    public static double idleWatts(EnergyMeter meter, Duration duration) {
        return idleWatts(meter, duration, d -> Thread.sleep(d.toMillis()));
    }

    /** {@link #idleWatts(EnergyMeter, Duration)} with an injectable sleep (for deterministic tests). */
    public static double idleWatts(EnergyMeter meter, Duration duration, Sleeper sleeper) {
        if (!meter.available()) {
            return Double.NaN;
        }
        EnergyMeter.Window w = meter.start();
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return w.stop().averageWatts();
    }
}
