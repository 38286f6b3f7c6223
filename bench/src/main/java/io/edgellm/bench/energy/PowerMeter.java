package io.edgellm.bench.energy;

import java.io.IOException;
import java.util.List;

/**
 * A source of instantaneous readings: a set of {@link Rail}s that can each be read now (power in W, or a cumulative
 * energy counter in J). A {@code PowerMeter} knows nothing about time; {@link SamplingEnergyMeter} turns it into energy
 * over a window.
 *
 * <p>Implementations: {@link Ina3221Reader} (Jetson), {@link RaplReader} (Linux powercap, Intel and AMD),
 * {@link HwmonReader} (generic hwmon power/energy channels). {@link EnergyMeters#detect(java.nio.file.Path)} picks one.
 */
public interface PowerMeter {

    /** A human-readable description: the source kind, device and rails, e.g. {@code "Jetson INA3221 (hwmon): VDD_IN, ..."}. */
    String description();

    /** The rails, in a fixed order; {@link #read(int)} takes an index into this list. */
    List<Rail> rails();

    /**
     * Indices of the rails whose sum is the board total, without double counting (e.g. only {@code VDD_IN} on a Jetson
     * Orin Nano, only the package and DRAM zones under RAPL, never their subzones).
     */
    int[] totalRails();

    /**
     * What the total means, shown next to results: e.g. {@code "VDD_IN (board input)"}, or
     * {@code "sum of rails: under-reads the wall (no board-input rail)"}.
     */
    String totalNote();

    /**
     * Reads rail {@code index} now.
     *
     * @return watts for a {@link Rail.Kind#POWER} rail, the cumulative counter in joules for an {@link Rail.Kind#ENERGY} rail
     * @throws IOException when the file cannot be read (the rail vanished: device unbound, hot-unplugged)
     */
    double read(int index) throws IOException;
}
