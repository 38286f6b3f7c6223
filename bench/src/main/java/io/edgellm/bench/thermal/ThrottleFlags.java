package io.edgellm.bench.thermal;

import java.util.ArrayList;
import java.util.List;

/**
 * The Raspberry Pi firmware's throttle flags ({@code vcgencmd get_throttled}, or
 * {@code /sys/devices/platform/soc/soc:firmware/get_throttled}): bit 0 under-voltage now, 1 ARM frequency capped now,
 * 2 throttled now, 3 soft temperature limit now; bits 16–19 the same conditions "has occurred since boot".
 */
public final class ThrottleFlags {
    private ThrottleFlags() {
    }

    private static final String[] NAMES = {"under-voltage", "arm-freq-capped", "throttled", "soft-temp-limit"};

    /**
     * Parses {@code throttled=0x50005}, {@code 0x50005} or {@code 50005} (hex, as sysfs prints it).
     *
     * @param text the command's output or the sysfs attribute
     * @return the flags
     * @throws NumberFormatException when no hex number is found
     */
    public static int parse(String text) {
        String s = text.trim();
        int eq = s.indexOf('=');
        if (eq >= 0) {
            if (!s.substring(0, eq).trim().equals("throttled")) {
                throw new NumberFormatException("not a throttle value: '" + text.trim() + "'");
            }
            s = s.substring(eq + 1).trim();
        }
        if (s.startsWith("0x") || s.startsWith("0X")) s = s.substring(2);
        if (s.isEmpty() || s.length() > 8) throw new NumberFormatException("not a throttle value: '" + text.trim() + "'");
        return (int) Long.parseLong(s, 16);
    }

    /**
     * Human-readable form, e.g. {@code 0x50005 (now: under-voltage, throttled; since boot: under-voltage, throttled)};
     * {@code "-"} for -1 (not readable).
     *
     * @param bits the flags, or -1
     * @return the description
     */
    public static String describe(int bits) {
        if (bits < 0) return "-";
        if (bits == 0) return "0x0";
        List<String> now = new ArrayList<>(), past = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            if ((bits & (1 << i)) != 0) now.add(NAMES[i]);
            if ((bits & (1 << (16 + i))) != 0) past.add(NAMES[i]);
        }
        StringBuilder sb = new StringBuilder("0x").append(Integer.toHexString(bits)).append(" (");
        if (!now.isEmpty()) sb.append("now: ").append(String.join(", ", now));
        if (!past.isEmpty()) sb.append(now.isEmpty() ? "" : "; ").append("since boot: ").append(String.join(", ", past));
        return sb.append(')').toString();
    }

    /**
     * Whether the flags say the clock is (or was) held down: throttled, frequency capped or soft temperature limit,
     * now or since boot.
     *
     * @param bits the flags, or -1
     * @return true when any of those bits is set
     */
    public static boolean throttled(int bits) {
        return bits > 0 && (bits & 0xE000E) != 0;
    }
}
