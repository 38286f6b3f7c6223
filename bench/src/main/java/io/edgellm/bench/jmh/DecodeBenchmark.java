package io.edgellm.bench.jmh;

import io.edgellm.bench.runner.BenchTarget;
import io.edgellm.bench.runner.EngineTargets;
import io.edgellm.bench.runner.ModelFiles;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode (llama-bench's {@code tg N @ dD}): one operation generates {@code genLength} tokens one forward pass at a time
 * (random ids, no sampling), starting with {@code depth} tokens in the KV cache (filled untimed before each operation).
 *
 * <pre>
 * ./edgellm jmh DecodeBenchmark -p model=synth:llama-3.2-1b:Q4_0 -p depth=0,512 -prof io.edgellm.bench.EnergyProfiler
 * </pre>
 * tokens/s = genLength / (ms/op) × 1000.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class DecodeBenchmark {

    /** A GGUF path, or {@code synth:PRESET:TYPE}. */
    @Param("../shared/models/TinyStories-656K-Q8_0.gguf")
    public String model;

    @Param("1")
    public int threads;

    @Param("16")
    public int genLength;

    @Param("0")
    public int depth;

    private BenchTarget target;
    private int[] generated;
    private int[] context;
    private final int[] one = new int[1];

    @Setup(Level.Trial)
    public void open() throws Exception {
        target = EngineTargets.open(ModelFiles.resolve(model), threads, depth + genLength + 1);
        Random rnd = new Random(43);
        generated = rnd.ints(genLength, 0, target.vocabSize()).toArray();
        context = rnd.ints(depth, 0, target.vocabSize()).toArray();
        EnergyProfiler.tokensPerOperation(DecodeBenchmark.class, genLength);
    }

    /** Untimed: empty the KV cache and refill it to {@code depth}. */
    @Setup(Level.Invocation)
    public void prepare() {
        target.reset();
        if (depth > 0) {
            target.evaluate(context);
        }
    }

    @Benchmark
    public void decode() {
        for (int t : generated) {
            one[0] = t;
            target.evaluate(one);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        target.close();
    }
}
