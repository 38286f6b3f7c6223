package io.edgellm.bench.energy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Turns a {@link PowerMeter} into an {@link EnergyMeter}: every {@link #tick()} reads all rails once and adds the
 * energy since the previous tick to a running per-rail total; a window is the difference of that total between its
 * two edges (both edges take a fresh reading).
 *
 * <pre>
 *  power rail (W):     p0      p1      p2      p3          energy += (p[k-1] + p[k]) / 2 * (t[k] - t[k-1])   (trapezoid)
 *                      |-------|-------|-------|
 *                      t0      t1      t2      t3          (ticks every interval, plus one at each window edge)
 *
 *  energy counter (J): e0      e1 ... wraps to ~0 ... e3    energy += e[k] - e[k-1], plus wrapJoules when negative
 * </pre>
 *
 * Power rails therefore need the background sampler (interval default 50 ms); energy counters would only need the
 * edges, but are read at every tick too so that a counter wrapping more than once in a long window is still counted
 * (RAPL's package counter wraps after roughly 60 s at 100+ W on some parts).
 *
 * <p>A rail that cannot be read at a tick (it vanished) contributes nothing for the intervals it is missing; windows
 * that saw this say so in {@link EnergyResult#warnings()}.
 *
 * <p>Tests drive it deterministically: construct with {@code backgroundInterval = null} and a fake clock, change the
 * fixture files, advance the clock and call {@link #tick()}.
 */
public final class SamplingEnergyMeter implements EnergyMeter {

    /** The default sampling interval of power rails: 50 ms. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(50);

    private final PowerMeter meter;
    private final List<Rail> rails;
    private final LongSupplier nanoClock;
    private final Duration interval;

    // Running state, guarded by "this".
    private final double[] cumulativeJoules; // per rail, since the first tick
    private final double[] last;             // last reading per rail: W or raw J; NaN when it could not be read
    private final long[] missedReads;        // per rail: ticks at which the rail could not be read
    private final String[] lastError;        // per rail: the last read failure
    private long lastNanos;
    private long ticks;
    private int openWindows;
    private Thread sampler;
    private boolean closed;

    /**
     * @param meter    the rails to read
     * @param interval the background sampling interval, or {@code null} for no background thread (tests call
     *                 {@link #tick()} themselves; also fine for meters with only energy-counter rails and short windows)
     */
    public SamplingEnergyMeter(PowerMeter meter, Duration interval) {
        this(meter, interval, System::nanoTime);
    }

    /**
     * @param nanoClock a monotonic clock in nanoseconds ({@link System#nanoTime()}; tests pass a fake one)
     */
    public SamplingEnergyMeter(PowerMeter meter, Duration interval, LongSupplier nanoClock) {
        if (interval != null && (interval.isNegative() || interval.isZero())) {
            throw new IllegalArgumentException("sampling interval must be positive: " + interval);
        }
        this.meter = meter;
        this.rails = List.copyOf(meter.rails());
        this.nanoClock = nanoClock;
        this.interval = interval;
        int n = rails.size();
        this.cumulativeJoules = new double[n];
        this.last = new double[n];
        this.missedReads = new long[n];
        this.lastError = new String[n];
        java.util.Arrays.fill(last, Double.NaN);
        tick(); // first reading: the reference for everything after
    }

    /** The wrapped {@link PowerMeter}. */
    public PowerMeter powerMeter() {
        return meter;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public String description() {
        return meter.description();
    }

    /** The background sampling interval, or null when there is no background thread. */
    public Duration interval() {
        return interval;
    }

    /**
     * Reads every rail once and integrates since the previous tick. Called by the background sampler, at window edges,
     * and by tests.
     */
    public synchronized void tick() {
        long now = nanoClock.getAsLong();
        double dt = ticks == 0 ? 0 : (now - lastNanos) / 1e9;
        for (int i = 0; i < rails.size(); i++) {
            Rail rail = rails.get(i);
            double value;
            try {
                value = meter.read(i);
            } catch (Exception e) { // IOException, or a malformed number in the file
                value = Double.NaN;
                lastError[i] = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (!Double.isFinite(value)) {
                missedReads[i]++;
            } else if (Double.isFinite(last[i])) {
                cumulativeJoules[i] += switch (rail.kind()) {
                    case POWER -> 0.5 * (last[i] + value) * dt;
                    case ENERGY -> counterDelta(last[i], value, rail.wrapJoules());
                };
            }
            last[i] = value;
        }
        lastNanos = now;
        ticks++;
    }

    /** The increase of a cumulative counter from {@code before} to {@code after} that wraps to 0 at {@code wrap}. */
    static double counterDelta(double before, double after, double wrap) {
        double d = after - before;
        if (d >= 0) {
            return d;
        }
        // The counter passed its maximum and restarted from 0: before -> wrap, then 0 -> after.
        return Double.isFinite(wrap) && wrap > 0 ? d + wrap : 0;
    }

    @Override
    public Window start() {
        final Snapshot begin;
        synchronized (this) {
            tick();
            begin = snapshot();
            openWindows++;
            notifyAll(); // wake the sampler
            if (interval != null && sampler == null && !closed) {
                sampler = Thread.ofPlatform().daemon().name("edgellm-power-sampler").start(this::sampleLoop);
            }
        }
        return new Window() {
            private EnergyResult result;

            @Override
            public EnergyResult stop() {
                synchronized (SamplingEnergyMeter.this) {
                    if (result == null) {
                        tick();
                        result = resultBetween(begin, snapshot());
                        openWindows--;
                        SamplingEnergyMeter.this.notifyAll();
                    }
                    return result;
                }
            }
        };
    }

    private void sampleLoop() {
        long periodNanos = interval.toNanos();
        while (true) {
            synchronized (this) {
                // Sleep while no window is open: sampling costs a little CPU, which is what we are measuring.
                while (openWindows == 0 && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
            }
            LockSupport.parkNanos(periodNanos);
            if (Thread.interrupted()) {
                return;
            }
            tick();
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            notifyAll();
            t = sampler;
            sampler = null;
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

    private record Snapshot(long nanos, long ticks, double[] joules, long[] missed) {
    }

    private Snapshot snapshot() {
        return new Snapshot(lastNanos, ticks, cumulativeJoules.clone(), missedReads.clone());
    }

    private EnergyResult resultBetween(Snapshot a, Snapshot b) {
        Map<String, Double> perRail = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        double[] railJ = new double[rails.size()];
        for (int i = 0; i < rails.size(); i++) {
            railJ[i] = b.joules[i] - a.joules[i];
            perRail.put(rails.get(i).name(), railJ[i]);
            long missed = b.missed[i] - a.missed[i];
            if (missed > 0) {
                warnings.add(String.format("rail %s (%s) could not be read at %d of %d readings (%s): it vanished or "
                                + "became unreadable; its energy covers only the time it was readable, so the %s is low",
                        rails.get(i).name(), rails.get(i).detail(), missed, b.ticks - a.ticks + 1, lastError[i],
                        isTotalRail(i) ? "total" : "rail's share"));
            }
        }
        double total = 0;
        for (int i : meter.totalRails()) {
            total += railJ[i];
        }
        return new EnergyResult(true, meter.description(), meter.totalNote(), (b.nanos - a.nanos) / 1e9, total,
                perRail, (int) (b.ticks - a.ticks + 1), warnings);
    }

    private boolean isTotalRail(int index) {
        for (int i : meter.totalRails()) {
            if (i == index) {
                return true;
            }
        }
        return false;
    }
}
