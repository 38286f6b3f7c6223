package io.edgellm.bench.thermal;

/**
 * One reading of every thermal and clock sensor.
 *
 * @param nanos          monotonic time of the reading ({@link System#nanoTime()})
 * @param maxTempC       hottest thermal zone, °C; NaN when no zone is readable
 * @param meanClockFrac  mean over CPUs of {@code scaling_cur_freq / cpuinfo_max_freq}; NaN when no cpufreq
 * @param minClockFrac   the lowest CPU's fraction; NaN when no cpufreq
 * @param throttleBits   Raspberry Pi firmware throttle flags ({@code get_throttled}); -1 when not readable
 */
public record ThermalSample(long nanos, double maxTempC, double meanClockFrac, double minClockFrac, int throttleBits) {
}
