package io.edgellm.bench.energy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Generic Linux hwmon power and energy channels ({@code Documentation/hwmon/sysfs-interface.rst}):
 * <pre>
 * /sys/class/hwmon/hwmon4/
 *     name              "amdgpu", "amd_energy", "ina2xx", ...
 *     power1_input      instantaneous power, µW   (power1_average when the chip only averages)
 *     power1_label      optional channel name
 *     energy1_input     cumulative energy, µJ
 *     energy1_label     optional ("Esocket0", "Ecore012" for amd_energy)
 * </pre>
 * The total is the sum of every channel found (sockets only when {@code amd_energy} also lists per-core counters);
 * hwmon devices may overlap or miss parts of the board, which the total note says.
 */
public final class HwmonReader {

    private HwmonReader() {
    }

    /** Looks for power/energy channels under {@code class/hwmon/hwmon*} (INA3221 devices are left to {@link Ina3221Reader}). */
    public static Probe probe(Sysfs sysfs) {
        List<String> notes = new ArrayList<>();
        SysfsPowerMeter.Builder b = new SysfsPowerMeter.Builder();
        List<Integer> sockets = new ArrayList<>(), cores = new ArrayList<>();
        for (Path hw : sysfs.list(sysfs.resolve("class/hwmon"), "hwmon*")) {
            String dev = sysfs.label(hw.resolve("name"), hw.getFileName().toString());
            if (dev.startsWith("ina3221")) {
                continue;
            }
            for (Path p : sysfs.list(hw, "power*_input")) {
                addChannel(sysfs, b, notes, hw, dev, p, "power", false);
            }
            if (sysfs.list(hw, "power*_input").isEmpty()) {
                for (Path p : sysfs.list(hw, "power*_average")) {
                    addChannel(sysfs, b, notes, hw, dev, p, "power", false);
                }
            }
            for (Path p : sysfs.list(hw, "energy*_input")) {
                int index = addChannel(sysfs, b, notes, hw, dev, p, "energy", true);
                if (index >= 0) {
                    String name = b.rails.get(index).name();
                    if (name.contains("/Esocket")) sockets.add(index);
                    if (name.contains("/Ecore")) cores.add(index);
                }
            }
        }
        if (b.isEmpty()) {
            return new Probe(null, notes);
        }
        List<Integer> total = new ArrayList<>();
        for (int i = 0; i < b.rails.size(); i++) {
            if (!(sockets.size() > 0 && cores.contains(i))) {
                total.add(i); // per-core counters are inside the socket counters
            }
        }
        String note = "sum of hwmon channels (devices may overlap or miss parts of the board)";
        return new Probe(new SysfsPowerMeter(sysfs, "hwmon", b.rails, b.readers,
                total.stream().mapToInt(Integer::intValue).toArray(), note), notes);
    }

    private static int addChannel(Sysfs sysfs, SysfsPowerMeter.Builder b, List<String> notes, Path hw, String dev,
                                  Path file, String prefix, boolean energy) {
        String f = file.getFileName().toString();
        String ch = f.substring(prefix.length(), f.indexOf('_'));       // "1" of power1_input
        String label = sysfs.label(hw.resolve(prefix + ch + "_label"), prefix + ch);
        String name = dev + "/" + label;
        if (!Files.exists(file) || !sysfs.canRead(file)) {
            notes.add("hwmon channel " + name + " (" + file + ") is not readable");
            return -1;
        }
        if (energy) {
            return b.add(Rail.energy(name, Double.POSITIVE_INFINITY, file.toString()), s -> s.readLong(file) / 1e6); // µJ → J
        }
        return b.add(Rail.power(name, file.toString()), s -> s.readLong(file) / 1e6); // µW → W
    }
}
