package io.edgellm.bench.energy;

/**
 * Measures the energy used between {@link #start()} and {@link Window#stop()}: joules, average watts and a per-rail
 * breakdown. Several windows may be open at once (they are independent views of one sampler).
 *
 * <pre>{@code
 * try (EnergyMeter meter = EnergyMeters.detect()) {
 *     EnergyMeter.Window w = meter.start();
 *     runWorkload();
 *     EnergyResult r = w.stop();          // r.available() is false on machines without a readable power source
 *     System.out.println(r);              // "12.3 J, 4.10 W avg over 3.00 s (VDD_IN ...)" or "power: none (...)"
 * }
 * }</pre>
 */
public interface EnergyMeter extends AutoCloseable {

    /** Whether a power source was found; when false, every window reports {@code power: none}. */
    boolean available();

    /** The source: reader kind, device and rails, or {@code "none"} with the reason. */
    String description();

    /** Opens a measuring window now. */
    Window start();

    /** Stops the background sampler, if any. Open windows may still be stopped afterwards (they then read once). */
    @Override
    void close();

    /** An open measuring window. */
    interface Window {
        /** Closes the window now and returns its energy. Calling it twice returns the first result again. */
        EnergyResult stop();
    }

    /** A meter with no source: every window reports {@code power: none} and the reason. */
    static EnergyMeter none(String reason) {
        return new NoEnergyMeter(reason);
    }
}
