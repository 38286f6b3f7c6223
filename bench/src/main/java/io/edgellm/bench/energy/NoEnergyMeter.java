package io.edgellm.bench.energy;

/** The {@link EnergyMeter} of a machine with no readable power source: it measures only time. */
final class NoEnergyMeter implements EnergyMeter {
    private final String reason;

    NoEnergyMeter(String reason) {
        this.reason = reason;
    }

    @Override
    public boolean available() {
        return false;
    }

    @Override
    public String description() {
        return "none" + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")");
    }

    @Override
    public Window start() {
        long t0 = System.nanoTime();
        return new Window() {
            private EnergyResult result;

            @Override
            public synchronized EnergyResult stop() {
                if (result == null) {
                    result = EnergyResult.none(description(), (System.nanoTime() - t0) / 1e9);
                }
                return result;
            }
        };
    }

    @Override
    public void close() {
    }
}
