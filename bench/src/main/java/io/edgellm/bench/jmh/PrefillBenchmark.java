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
 * Prefill (llama-bench's {@code pp N}): one operation evaluates {@code promptLength} random tokens in one batch, with
 * {@code depth} tokens already in the KV cache (filled untimed before each operation).
 *
 * <pre>
 * ./edgellm jmh PrefillBenchmark -p model=synth:llama-3.2-1b:Q4_0 -p promptLength=64,512 -p threads=1,4 \
 *     -prof io.edgellm.bench.jmh.EnergyProfiler
 * </pre>
 * tokens/s = promptLength / (ms/op) × 1000.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class PrefillBenchmark {

    /** A GGUF path, or {@code synth:PRESET:TYPE} (a synthetic model written once to ~/.cache/edgellm). */
    @Param("../shared/models/TinyStories-656K-Q8_0.gguf")
    public String model;

    @Param("1")
    public int threads;

    @Param("64")
    public int promptLength;

    @Param("0")
    public int depth;

    private BenchTarget target;
    private int[] prompt;
    private int[] context;

    @Setup(Level.Trial)
    public void open() throws Exception {
        target = EngineTargets.open(ModelFiles.resolve(model), threads, depth + promptLength + 1);
        Random rnd = new Random(42);
        prompt = rnd.ints(promptLength, 0, target.vocabSize()).toArray();
        context = rnd.ints(depth, 0, target.vocabSize()).toArray();
        EnergyProfiler.tokensPerOperation(PrefillBenchmark.class, promptLength);
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
    public void prefill() {
        target.evaluate(prompt);
    }

    @TearDown(Level.Trial)
    public void close() {
        target.close();
    }
}
