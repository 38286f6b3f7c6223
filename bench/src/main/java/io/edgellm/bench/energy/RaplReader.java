package io.edgellm.bench.energy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linux powercap RAPL energy counters (Intel since Sandy Bridge; AMD Zen through the same {@code intel-rapl} driver).
 *
 * <pre>
 * /sys/class/powercap/
 *   intel-rapl:0/            top-level zone ("package-0": cores + uncore + ...)
 *       name                 "package-0"
 *       energy_uj            cumulative energy, µJ; wraps to 0 after max_energy_range_uj
 *       max_energy_range_uj  e.g. 262143328850
 *   intel-rapl:0:0/          subzone "core"   (inside package-0: not added again)
 *   intel-rapl:0:1/          subzone "uncore" (inside package-0: not added again)
 *   intel-rapl:0:2/          subzone "dram"   (NOT inside the package domain: added)
 *   intel-rapl:1/            "psys" (platform, Skylake+ laptops: includes the packages)
 *   intel-rapl-mmio:0/       the same package counter through MMIO: skipped (double count)
 * </pre>
 * Total without double counting: {@code psys} alone when present, else every {@code package-N} plus every
 * {@code dram} zone. Subzones are listed in the per-rail breakdown.
 *
 * <p>Since Linux 5.10 (CVE-2020-8694, "Platypus") {@code energy_uj} is readable by root only; the probe then explains
 * how to grant access ({@link #PERMISSION_HELP}).
 */
public final class RaplReader {

    /** How to make the RAPL counters readable for a non-root user. */
    public static final String PERMISSION_HELP =
            "RAPL energy counters exist but are not readable (root-only since Linux 5.10, CVE-2020-8694). Grant read "
                    + "access until the next boot with: sudo chmod o+r /sys/class/powercap/intel-rapl:*/energy_uj "
                    + "/sys/class/powercap/intel-rapl:*:*/energy_uj ; or permanently with a udev rule, e.g. "
                    + "/etc/udev/rules.d/99-rapl.rules containing: ACTION==\"add\", SUBSYSTEM==\"powercap\", "
                    + "RUN+=\"/bin/chmod o+r /sys/class/powercap/%k/energy_uj\" (then: sudo udevadm trigger "
                    + "--subsystem-match=powercap); or run as root";

    private RaplReader() {
    }

    /** Looks for readable RAPL zones under {@code class/powercap/intel-rapl:*}. */
    public static Probe probe(Sysfs sysfs) {
        List<String> notes = new ArrayList<>();
        SysfsPowerMeter.Builder b = new SysfsPowerMeter.Builder();
        List<Path> zones = sysfs.list(sysfs.resolve("class/powercap"), "intel-rapl:*");
        Map<String, String> names = new HashMap<>(); // zone id ("intel-rapl:0") → name ("package-0")
        for (Path z : zones) {
            names.put(z.getFileName().toString(), sysfs.label(z.resolve("name"), z.getFileName().toString()));
        }
        List<Integer> packages = new ArrayList<>(), drams = new ArrayList<>(), psys = new ArrayList<>();
        boolean denied = false;
        for (Path z : zones) {
            String id = z.getFileName().toString();           // intel-rapl:0 or intel-rapl:0:2
            Path energy = z.resolve("energy_uj");
            if (!Files.exists(energy)) {
                continue;
            }
            String zoneName = names.get(id);
            String[] parts = id.split(":");
            boolean sub = parts.length > 2;
            String railName = sub ? names.getOrDefault(parts[0] + ":" + parts[1], parts[0] + ":" + parts[1]) + "/" + zoneName
                    : zoneName;
            try {
                sysfs.readLong(energy);
            } catch (AccessDeniedException e) {
                denied = true;
                continue;
            } catch (IOException e) {
                notes.add("RAPL zone " + railName + ": " + energy + " unreadable: " + e.getMessage());
                continue;
            }
            double wrap;
            try {
                wrap = sysfs.readLong(z.resolve("max_energy_range_uj")) / 1e6;
            } catch (IOException e) {
                wrap = Double.POSITIVE_INFINITY;
                notes.add("RAPL zone " + railName + ": no max_energy_range_uj; counter wrap-around cannot be corrected");
            }
            int index = b.add(Rail.energy(railName, wrap, energy.toString()), s -> s.readLong(energy) / 1e6); // µJ → J
            if (zoneName.startsWith("psys") && !sub) {
                psys.add(index);
            } else if (zoneName.startsWith("package") && !sub) {
                packages.add(index);
            } else if (zoneName.startsWith("dram")) {
                drams.add(index);
            }
        }
        if (denied) {
            notes.add(PERMISSION_HELP);
        }
        if (b.isEmpty()) {
            return new Probe(null, notes);
        }
        List<Integer> total = new ArrayList<>();
        String note;
        if (!psys.isEmpty()) {
            total.addAll(psys);
            note = "psys (platform domain, includes the packages)";
        } else {
            total.addAll(packages);
            total.addAll(drams);
            note = drams.isEmpty() ? "package zones (CPU socket; not DRAM, not the rest of the board)"
                    : "package + dram zones (not the rest of the board)";
            if (total.isEmpty()) { // odd machine: only subzones readable
                for (int i = 0; i < b.rails.size(); i++) {
                    total.add(i);
                }
                note = "sum of readable RAPL zones";
            }
        }
        note += "; subzones (core, uncore) are shown but not added";
        return new Probe(new SysfsPowerMeter(sysfs, "Linux powercap RAPL", b.rails, b.readers,
                total.stream().mapToInt(Integer::intValue).toArray(), note), notes);
    }
}
