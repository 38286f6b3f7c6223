package io.edgellm.bench.energy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Read access to a sysfs tree rooted anywhere: {@code /sys} on a real machine, a fixture directory in tests.
 * Every path handed to the readers is resolved against {@link #root()}, so no reader touches {@code /sys} directly.
 *
 * <p>Subclasses may override {@link #readString(Path)} to simulate files that exist but cannot be read (root-only RAPL
 * counters: tests usually run as root, where file modes do not stop reads).
 */
public class Sysfs {
    private final Path root;

    /** @param root the directory that plays the role of {@code /sys} */
    public Sysfs(Path root) {
        this.root = root;
    }

    /** The real {@code /sys}. */
    public static Sysfs system() {
        return new Sysfs(Path.of("/sys"));
    }

    /** The directory that plays the role of {@code /sys}. */
    public Path root() {
        return root;
    }

    /** {@code root/relative}. */
    public Path resolve(String relative) {
        return root.resolve(relative);
    }

    /** The whole content of a sysfs attribute, trimmed. */
    public String readString(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
    }

    /** A sysfs attribute holding one integer (sysfs values are plain decimal). */
    public long readLong(Path file) throws IOException {
        String s = readString(file);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": expected an integer, found '" + s + "'", e);
        }
    }

    /** Whether {@link #readString(Path)} succeeds on the file now. */
    public boolean canRead(Path file) {
        try {
            readString(file);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The entries of {@code dir} whose names match the glob, sorted by name; empty when {@code dir} does not exist. */
    public List<Path> list(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            ds.forEach(out::add);
        } catch (IOException e) {
            return out;
        }
        out.sort((a, b) -> naturalCompare(a.getFileName().toString(), b.getFileName().toString()));
        return out;
    }

    /** Name order where digit runs compare as numbers: {@code hwmon2 < hwmon10}, {@code in2 < in10}. */
    static int naturalCompare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i), cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i, sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
                while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
                int c = Long.compare(Long.parseLong(a.substring(si, Math.min(i, si + 18))),
                        Long.parseLong(b.substring(sj, Math.min(j, sj + 18))));
                if (c != 0) return c;
            } else {
                if (ca != cb) return Character.compare(ca, cb);
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** Reads an optional label file; {@code fallback} when it is missing or unreadable. */
    public String label(Path file, String fallback) {
        try {
            String s = readString(file);
            return s.isEmpty() ? fallback : s;
        } catch (IOException e) {
            return fallback;
        }
    }
}
