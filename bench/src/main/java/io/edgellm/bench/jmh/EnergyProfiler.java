package io.edgellm.bench.jmh;

import io.edgellm.bench.energy.EnergyMeter;
import io.edgellm.bench.energy.EnergyMeters;
import io.edgellm.bench.energy.EnergyResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that measures the energy of every iteration with the machine's power source
 * ({@link EnergyMeters#detect()}: Jetson INA3221, RAPL, hwmon) and reports secondary results:
 * <ul>
 *   <li>{@code energy.J/op}: joules per benchmark operation (iteration energy / all operations of the iteration)</li>
 *   <li>{@code energy.J/token}: joules per token, for benchmarks that declare their tokens per operation with
 *       {@link #tokensPerOperation(Class, long)}</li>
 *   <li>{@code energy.W}: average power over the iteration</li>
 * </ul>
 * Usage: {@code ./edgellm jmh Prefill -prof io.edgellm.bench.jmh.EnergyProfiler} (or the alias
 * {@code io.edgellm.bench.EnergyProfiler}). With no readable power source it prints one note and reports nothing.
 *
 * <p>The window covers the whole iteration, including invocation-level setup (the untimed depth prefill of
 * {@link DecodeBenchmark} at depth &gt; 0), so J/op is an upper bound there; the runner ({@code edgellm bench}) times
 * and measures only the timed region.
 */
public class EnergyProfiler implements InternalProfiler {

    private static final Map<String, Long> TOKENS_PER_OP = new ConcurrentHashMap<>();

    /**
     * Declares how many tokens one operation of {@code benchmarkClass} processes (prompt length for prefill, generated
     * tokens for decode), so that J/token can be reported. Call it from a {@code @Setup} method.
     */
    public static void tokensPerOperation(Class<?> benchmarkClass, long tokens) {
        TOKENS_PER_OP.put(benchmarkClass.getName(), tokens);
    }

    private final EnergyMeter meter;
    private EnergyMeter.Window window;
    private boolean noted;

    /** Detects the power source (honours {@code -Dedgellm.power=none} and {@code -Dedgellm.power.sysfs=DIR}). */
    public EnergyProfiler() {
        this.meter = EnergyMeters.detect();
    }

    /** JMH passes the text after {@code -prof name:}; no options are defined. */
    public EnergyProfiler(String initLine) {
        this();
    }

    @Override
    public String getDescription() {
        return "Energy per operation and per token, and average power, from sysfs (Jetson INA3221, RAPL, hwmon)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        if (!meter.available()) {
            if (!noted) {
                System.out.println("# EnergyProfiler: power: " + meter.description() + " -- no energy results");
                noted = true;
            }
            return;
        }
        window = meter.start();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult iterationResult) {
        if (window == null) {
            return List.of();
        }
        EnergyResult e = window.stop();
        window = null;
        List<Result> out = new ArrayList<>();
        out.add(new ScalarResult("energy.W", e.averageWatts(), "W", AggregationPolicy.AVG));
        long ops = iterationResult.getMetadata() == null ? 0 : iterationResult.getMetadata().getAllOps();
        if (ops > 0) {
            out.add(new ScalarResult("energy.J/op", e.joules() / ops, "J/op", AggregationPolicy.AVG));
            String bench = benchmarkParams.getBenchmark();                  // pkg.Class.method
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            Long tokens = TOKENS_PER_OP.get(cls);
            if (tokens != null && tokens > 0) {
                out.add(new ScalarResult("energy.J/token", e.joules() / ops / tokens, "J/token", AggregationPolicy.AVG));
            }
        }
        for (String w : e.warnings()) {
            System.out.println("# EnergyProfiler warning: " + w);
        }
        return out;
    }
}
