package io.edgellm.bench.energy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The energy of one measuring window.
 *
 * <p>When no power source exists ({@link #available()} false) the energy fields are {@code NaN}, never zeros, and
 * {@link #toString()} says {@code power: none}.
 *
 * @param available   whether a power source was read
 * @param source      the meter's description (reader, device, rails) or {@code "none (...)"}
 * @param totalNote   what {@link #joules()} covers, e.g. {@code "VDD_IN (board input)"} or
 *                    {@code "sum of rails: under-reads the wall"}
 * @param seconds     the window's length in seconds (measured by the meter's clock)
 * @param joules      total energy in joules over the window (the board-total rails), NaN when unavailable
 * @param railJoules  energy per rail in joules, in the meter's rail order (includes subzones not counted in the total)
 * @param samples     number of readings taken inside the window, edges included
 * @param warnings    problems during the window: a rail that vanished or could not be read
 */
public record EnergyResult(boolean available, String source, String totalNote, double seconds, double joules,
                           Map<String, Double> railJoules, int samples, List<String> warnings) {

    public EnergyResult {
        railJoules = Collections.unmodifiableMap(new LinkedHashMap<>(railJoules)); // keep rail order
        warnings = List.copyOf(warnings);
    }

    /** A result without a power source: only the duration is known. */
    public static EnergyResult none(String source, double seconds) {
        return new EnergyResult(false, source, "", seconds, Double.NaN, Map.of(), 0, List.of());
    }

    /** Average power over the window in watts ({@code joules / seconds}); NaN when unavailable or the window is empty. */
    public double averageWatts() {
        return available && seconds > 0 ? joules / seconds : Double.NaN;
    }

    /** Average power of one rail in watts; NaN when the rail is unknown. */
    public double railWatts(String rail) {
        Double j = railJoules.get(rail);
        return j == null || seconds <= 0 ? Double.NaN : j / seconds;
    }

    /**
     * Energy above an idle baseline: {@code joules - idleWatts * seconds}, the energy the workload added on top of what
     * the board uses doing nothing. NaN when unavailable or {@code idleWatts} is NaN.
     */
    public double aboveIdleJoules(double idleWatts) {
        return joules - idleWatts * seconds;
    }

    /** Joules per unit of work (per token, per operation); NaN when unavailable or {@code units <= 0}. */
    public double joulesPer(double units) {
        return available && units > 0 ? joules / units : Double.NaN;
    }

    @Override
    public String toString() {
        if (!available) {
            return String.format(Locale.ROOT, "power: %s, %.3f s", source, seconds);
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.3f J, %.3f W avg over %.3f s [%s; %s]",
                joules, averageWatts(), seconds, source, totalNote));
        for (String w : warnings) {
            sb.append("\n  warning: ").append(w);
        }
        return sb.toString();
    }
}
