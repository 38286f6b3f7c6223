package io.edgellm.bench.thermal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples a {@link ThermalReader} in the background while at least one window is open (and at each window's edges),
 * like {@link io.edgellm.bench.energy.SamplingEnergyMeter} does for power. With no sensors it never starts a thread
 * and every window returns {@link ThermalResult#NONE}.
 */
public final class ThermalMonitor implements AutoCloseable {
    /** The default sampling interval, 500 ms (temperatures and clocks change slowly; vcgencmd costs a fork). */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);

    private final ThermalReader reader;
    private final Duration interval;
    private final List<ThermalResult.Acc> open = new ArrayList<>();
    private Thread sampler;
    private boolean closed;

    /**
     * @param reader   the sensors (null: none)
     * @param interval background interval, or null for edge samples only (tests)
     */
    public ThermalMonitor(ThermalReader reader, Duration interval) {
        this.reader = reader;
        this.interval = interval;
    }

    /** @return a monitor without sensors */
    public static ThermalMonitor none() {
        return new ThermalMonitor(null, null);
    }

    /** @return whether any sensor is read */
    public boolean available() {
        return reader != null && reader.available();
    }

    /** @return what is read, or {@code "none (...)"} */
    public String description() {
        return reader == null ? "none" : reader.description();
    }

    /** An open window. */
    public interface Window {
        /**
         * Closes the window (with a last sample).
         *
         * @return maxima, means and flags over the window
         */
        ThermalResult stop();
    }

    /**
     * Reads the sensors now and feeds every open window.
     *
     * @return the sample, or null without sensors
     */
    public ThermalSample sampleNow() {
        if (!available()) return null;
        ThermalSample s = reader.sample();
        synchronized (this) {
            for (ThermalResult.Acc a : open) a.add(s);
        }
        return s;
    }

    /**
     * Opens a window (takes a first sample).
     *
     * @return the window
     */
    public Window start() {
        if (!available()) return () -> ThermalResult.NONE;
        ThermalResult.Acc acc = new ThermalResult.Acc();
        synchronized (this) {
            open.add(acc);
            if (interval != null && sampler == null && !closed) {
                sampler = Thread.ofPlatform().daemon().name("edgellm-thermal-sampler").start(this::loop);
            }
            notifyAll();
        }
        sampleNow();
        return new Window() {
            private ThermalResult result;

            @Override
            public ThermalResult stop() {
                if (result != null) return result;
                sampleNow();
                synchronized (ThermalMonitor.this) {
                    open.remove(acc);
                    result = acc.result();
                }
                return result;
            }
        };
    }

    private void loop() {
        while (true) {
            synchronized (this) {
                while (open.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) return;
            }
            LockSupport.parkNanos(interval.toNanos());
            if (Thread.interrupted()) return;
            sampleNow();
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            notifyAll();
            t = sampler;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
