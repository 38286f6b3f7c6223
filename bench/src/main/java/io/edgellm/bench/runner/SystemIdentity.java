package io.edgellm.bench.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where a result was measured: CPU, board, JDK, Vector API width, and the process's peak memory.
 *
 * @param cpu            CPU model ({@code /proc/cpuinfo} "model name", or the device-tree board model on ARM boards)
 * @param coresAvailable {@link Runtime#availableProcessors()}
 * @param jdk            JDK vendor and version
 * @param vectorBits     preferred Vector API species width in bits (0 when {@code jdk.incubator.vector} is not loaded)
 * @param vectorSpecies  the preferred {@code FloatVector} species ({@code "Species[float, 8, S_256_BIT]"}) or a note
 * @param os             OS name, version and architecture
 */
public record SystemIdentity(String cpu, int coresAvailable, String jdk, int vectorBits, String vectorSpecies, String os) {

    /** Identity of this machine and JVM. */
    public static SystemIdentity current() {
        int bits = 0;
        String species;
        try {
            jdk.incubator.vector.VectorSpecies<Float> s = VectorApi.preferredFloatSpecies();
            bits = s.vectorBitSize();
            species = s.toString();
        } catch (Throwable e) { // NoClassDefFoundError when run without --add-modules jdk.incubator.vector
            species = "Vector API not loaded (scalar fallback)";
        }
        String jdk = System.getProperty("java.vm.vendor", "?") + " " + Runtime.version();
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        return new SystemIdentity(cpuModel(), Runtime.getRuntime().availableProcessors(), jdk, bits, species, os);
    }

    /** CPU model name and, on boards, the device-tree model ("Raspberry Pi 5 Model B", "NVIDIA Jetson Orin Nano"). */
    static String cpuModel() {
        String cpu = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                String l = line.toLowerCase(Locale.ROOT);
                if (l.startsWith("model name") || (cpu == null && l.startsWith("hardware"))) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    if (l.startsWith("model name")) {
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        String board = null;
        try {
            board = new String(Files.readAllBytes(Path.of("/proc/device-tree/model")), StandardCharsets.UTF_8)
                    .replace("\0", "").trim();
        } catch (IOException | RuntimeException e) {
            // no device tree (x86)
        }
        String arch = System.getProperty("os.arch");
        if (cpu == null && board == null) {
            return arch;
        }
        return String.join(" / ", List.of(board == null ? "" : board, cpu == null ? arch : cpu).stream()
                .filter(s -> !s.isEmpty()).toList());
    }

    /** Peak resident set size of this process in bytes ({@code VmHWM} in {@code /proc/self/status}); -1 when unknown. */
    public static long peakRssBytes() {
        return statusKb("VmHWM:");
    }

    /**
     * Resident file-backed pages ({@code RssFile}): mostly the mapped model weights; -1 when unknown.
     *
     * @return bytes
     */
    public static long rssFileBytes() {
        return statusKb("RssFile:");
    }

    /**
     * Resident anonymous pages ({@code RssAnon}): the Java heap plus off-heap memory (JIT code, metaspace, GC tables,
     * thread stacks, direct buffers); -1 when unknown.
     *
     * @return bytes
     */
    public static long rssAnonBytes() {
        return statusKb("RssAnon:");
    }

    /** Current resident set size in bytes ({@code VmRSS}); -1 when unknown. */
    public static long rssBytes() {
        return statusKb("VmRSS:");
    }

    private static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith(key)) {
                    String[] f = line.substring(key.length()).trim().split("\\s+"); // "123456 kB"
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
