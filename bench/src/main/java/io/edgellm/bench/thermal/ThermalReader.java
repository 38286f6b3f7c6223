package io.edgellm.bench.thermal;

import io.edgellm.bench.energy.CommandRunner;
import io.edgellm.bench.energy.Sysfs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads temperatures, CPU clocks and throttle flags from a sysfs tree (any root: {@code /sys}, or a fixture) and, where
 * sysfs has no throttle attribute, from {@code vcgencmd get_throttled}.
 *
 * <ul>
 *   <li>{@code class/thermal/thermal_zone*}/{@code type}, {@code temp} (millidegrees Celsius);</li>
 *   <li>{@code devices/system/cpu/cpu*}/{@code cpufreq/scaling_cur_freq}, {@code cpuinfo_max_freq} (kHz);</li>
 *   <li>{@code devices/platform/soc/soc:firmware/get_throttled} (Raspberry Pi, hex), else
 *       {@code vcgencmd get_throttled} ({@code throttled=0x0});</li>
 *   <li>Jetson: {@code nvpmodel -q} (the power mode, named in the description).</li>
 * </ul>
 * Sensors that are absent stay absent: their fields are NaN / -1, never zeros.
 */
public final class ThermalReader {
    /** Sysfs attribute of the Raspberry Pi firmware's throttle flags. */
    public static final String PI_THROTTLED = "devices/platform/soc/soc:firmware/get_throttled";

    private record Zone(String type, Path temp) {
    }

    private record Cpu(String name, Path cur, double maxKhz) {
    }

    private final Sysfs sysfs;
    private final CommandRunner commands;
    private final List<Zone> zones;
    private final List<Cpu> cpus;
    private final Path throttleFile;
    private final boolean throttleCommand;
    private final String powerMode;

    private ThermalReader(Sysfs sysfs, CommandRunner commands, List<Zone> zones, List<Cpu> cpus, Path throttleFile,
                          boolean throttleCommand, String powerMode) {
        this.sysfs = sysfs;
        this.commands = commands;
        this.zones = zones;
        this.cpus = cpus;
        this.throttleFile = throttleFile;
        this.throttleCommand = throttleCommand;
        this.powerMode = powerMode;
    }

    /**
     * Finds the readable sensors.
     *
     * @param sysfs    the tree to read
     * @param commands runs {@code vcgencmd} / {@code nvpmodel} ({@link CommandRunner#NONE} to use none)
     * @return a reader (possibly with no sensors: see {@link #available()})
     */
    public static ThermalReader probe(Sysfs sysfs, CommandRunner commands) {
        List<Zone> zones = new ArrayList<>();
        for (Path z : sysfs.list(sysfs.resolve("class/thermal"), "thermal_zone*")) {
            Path temp = z.resolve("temp");
            try {
                sysfs.readLong(temp);
                zones.add(new Zone(sysfs.label(z.resolve("type"), z.getFileName().toString()), temp));
            } catch (IOException e) {
                // absent or unreadable (some zones return EINVAL while their sensor sleeps): skip
            }
        }
        List<Cpu> cpus = new ArrayList<>();
        for (Path c : sysfs.list(sysfs.resolve("devices/system/cpu"), "cpu[0-9]*")) {
            Path f = c.resolve("cpufreq");
            try {
                long max = sysfs.readLong(f.resolve("cpuinfo_max_freq"));
                sysfs.readLong(f.resolve("scaling_cur_freq"));
                if (max > 0) cpus.add(new Cpu(c.getFileName().toString(), f.resolve("scaling_cur_freq"), max));
            } catch (IOException e) {
                // no cpufreq for this CPU (VMs, offline cores)
            }
        }
        Path tf = sysfs.resolve(PI_THROTTLED);
        Path throttleFile = null;
        boolean throttleCmd = false;
        try {
            ThrottleFlags.parse(sysfs.readString(tf));
            throttleFile = tf;
        } catch (IOException | NumberFormatException e) {
            try {
                ThrottleFlags.parse(commands.run(List.of("vcgencmd", "get_throttled")));
                throttleCmd = true;
            } catch (IOException | RuntimeException e2) {
                // not a Raspberry Pi
            }
        }
        String mode = null;
        try {
            mode = parseNvpmodel(commands.run(List.of("nvpmodel", "-q")));
        } catch (IOException | RuntimeException e) {
            // not a Jetson, or not allowed
        }
        return new ThermalReader(sysfs, commands, List.copyOf(zones), List.copyOf(cpus), throttleFile, throttleCmd, mode);
    }

    /**
     * The power mode from {@code nvpmodel -q} output ({@code "NV Power Mode: MAXN\n0"} gives {@code "MAXN (0)"}).
     *
     * @param out the command's output
     * @return the mode, or null when the output has none
     */
    static String parseNvpmodel(String out) {
        String name = null, id = null;
        for (String line : out.split("\n")) {
            String l = line.trim();
            if (l.startsWith("NV Power Mode:")) name = l.substring("NV Power Mode:".length()).trim();
            else if (name != null && id == null && l.matches("\\d+")) id = l;
        }
        return name == null ? null : id == null ? name : name + " (" + id + ")";
    }

    /** @return whether any sensor was found */
    public boolean available() {
        return !zones.isEmpty() || !cpus.isEmpty() || throttleFile != null || throttleCommand;
    }

    /** @return Jetson power mode ({@code nvpmodel -q}), or null */
    public String powerMode() {
        return powerMode;
    }

    /**
     * What is read, e.g. {@code "2 thermal zones (cpu-thermal, gpu-thermal); cpufreq on 4 CPUs (max 2400 MHz);
     * throttle: sysfs"}, or {@code "none (no thermal zones, cpufreq or throttle flags under /sys)"}.
     *
     * @return the description
     */
    public String description() {
        if (!available() && powerMode == null) {
            return "none (no thermal zones, cpufreq or throttle flags under " + sysfs.root() + ")";
        }
        List<String> parts = new ArrayList<>();
        if (!zones.isEmpty()) {
            parts.add(zones.size() + " thermal zone" + (zones.size() == 1 ? "" : "s") + " ("
                    + String.join(", ", zones.stream().map(Zone::type).toList()) + ")");
        }
        if (!cpus.isEmpty()) {
            double max = cpus.stream().mapToDouble(Cpu::maxKhz).max().orElse(0);
            parts.add(String.format(java.util.Locale.ROOT, "cpufreq on %d CPUs (max %.0f MHz)", cpus.size(), max / 1000));
        }
        if (throttleFile != null) parts.add("throttle flags: " + PI_THROTTLED);
        else if (throttleCommand) parts.add("throttle flags: vcgencmd get_throttled");
        if (powerMode != null) parts.add("nvpmodel: " + powerMode);
        return String.join("; ", parts);
    }

    /**
     * Reads every sensor now. Sensors that fail at this moment give NaN / -1 for this sample.
     *
     * @return the sample
     */
    public ThermalSample sample() {
        long now = System.nanoTime();
        double maxT = Double.NaN;
        for (Zone z : zones) {
            try {
                double t = sysfs.readLong(z.temp) / 1000.0;
                maxT = Double.isNaN(maxT) ? t : Math.max(maxT, t);
            } catch (IOException e) {
                // sensor asleep: skip this reading
            }
        }
        double sum = 0, min = Double.NaN;
        int n = 0;
        for (Cpu c : cpus) {
            try {
                double f = sysfs.readLong(c.cur) / c.maxKhz;
                sum += f;
                n++;
                min = Double.isNaN(min) ? f : Math.min(min, f);
            } catch (IOException e) {
                // CPU went offline
            }
        }
        int bits = -1;
        try {
            if (throttleFile != null) bits = ThrottleFlags.parse(sysfs.readString(throttleFile));
            else if (throttleCommand) bits = ThrottleFlags.parse(commands.run(List.of("vcgencmd", "get_throttled")));
        } catch (IOException | RuntimeException e) {
            bits = -1;
        }
        return new ThermalSample(now, maxT, n == 0 ? Double.NaN : sum / n, min, bits);
    }
}
