package io.edgellm.bench;

/**
 * Alias of {@link io.edgellm.bench.jmh.EnergyProfiler}, so that {@code -prof io.edgellm.bench.EnergyProfiler} works
 * too.
 */
public class EnergyProfiler extends io.edgellm.bench.jmh.EnergyProfiler {

    public EnergyProfiler() {
        super();
    }

    public EnergyProfiler(String initLine) {
        super(initLine);
    }
}
