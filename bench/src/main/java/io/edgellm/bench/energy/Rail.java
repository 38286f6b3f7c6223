package io.edgellm.bench.energy;

/**
 * One measured rail (a supply line, a RAPL zone, a hwmon channel).
 *
 * <p>Two kinds exist, and they are integrated differently by {@link SamplingEnergyMeter}:
 * <ul>
 *   <li>{@link Kind#POWER}: the reader returns instantaneous power in watts; energy is the time integral of the sampled
 *       values (trapezoid rule), so the sampling interval matters.</li>
 *   <li>{@link Kind#ENERGY}: the reader returns a cumulative counter in joules that the hardware keeps (RAPL
 *       {@code energy_uj}, hwmon {@code energy<N>_input}); energy is the difference of two readings, corrected for the
 *       counter wrapping around at {@link #wrapJoules()}.</li>
 * </ul>
 *
 * @param name       the rail's name as the hardware labels it ({@code VDD_IN}, {@code package-0}, {@code power1})
 * @param kind       power (W) or cumulative energy (J)
 * @param wrapJoules for {@link Kind#ENERGY}: the value at which the counter wraps back to 0
 *                   (RAPL {@code max_energy_range_uj} / 1e6); {@link Double#POSITIVE_INFINITY} when it never wraps;
 *                   ignored for power rails
 * @param detail     where it is read from (a sysfs path), for descriptions and error messages
 */
public record Rail(String name, Kind kind, double wrapJoules, String detail) {

    /** What a rail's reader returns. */
    public enum Kind {
        /** Instantaneous power in watts, sampled and integrated. */
        POWER,
        /** A cumulative energy counter in joules, read at window edges (and at samples, to catch wrap-arounds). */
        ENERGY
    }

    /** A power rail (W). */
    public static Rail power(String name, String detail) {
        return new Rail(name, Kind.POWER, Double.POSITIVE_INFINITY, detail);
    }

    /** A cumulative energy counter (J) that wraps at {@code wrapJoules}. */
    public static Rail energy(String name, double wrapJoules, String detail) {
        return new Rail(name, Kind.ENERGY, wrapJoules, detail);
    }
}
