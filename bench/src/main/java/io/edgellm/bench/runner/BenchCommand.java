package io.edgellm.bench.runner;

import io.edgellm.bench.energy.EnergyMeter;
import io.edgellm.bench.energy.EnergyMeters;
import io.edgellm.bench.energy.Sysfs;
import io.edgellm.bench.synth.ModelPreset;
import io.edgellm.quant.GgmlType;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgellm bench}: llama-bench's command line and output, plus latency, energy, memory and identity columns.
 *
 * <pre>
 * ./edgellm bench -m model.gguf -p 512 -n 128 -r 5                    # llama-bench's default tests: pp512, tg128
 * ./edgellm bench -m a.gguf,b.gguf -p 64,256 -n 32 -d 0,512 -t 1,2,4 -o json --plot out/
 * ./edgellm bench                                                     # no -m: a synthetic llama-3.2-1b Q4_0
 * ./edgellm bench -m m.gguf -p 128 -n 64 -t 1,2 -r 2 --vs-llama-cpp ~/llama.cpp/build/bin/llama-bench
 * </pre>
 * With {@code --vs-llama-cpp} the run is a {@link SideBySide}: llama-bench and edgellm interleaved per round, one
 * row per test with both t/s and the ratio.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmark prefill (pp) and decode (tg) speed, latency and energy, like llama-bench.",
                "Lists are comma-separated or repeated options; every combination is run."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, split = ",", paramLabel = "GGUF",
            description = "model files (default: a synthetic llama-3.2-1b Q4_0 written to the cache dir)")
    List<Path> models = new ArrayList<>();

    @Option(names = {"-p", "--n-prompt"}, split = ",", paramLabel = "N", description = "prompt lengths (default 512)")
    List<Integer> nPrompt;

    @Option(names = {"-n", "--n-gen"}, split = ",", paramLabel = "N", description = "generation lengths (default 128)")
    List<Integer> nGen;

    @Option(names = {"-d", "--n-depth"}, split = ",", paramLabel = "N",
            description = "KV-cache depths before the test (default 0)")
    List<Integer> depths;

    @Option(names = {"-t", "--threads"}, split = ",", paramLabel = "N",
            description = "thread counts (default: available processors)")
    List<Integer> threads;

    @Option(names = {"-b", "--batch-size"}, paramLabel = "N", defaultValue = "2048",
            description = "n_batch: prompt tokens per forward call (default ${DEFAULT-VALUE})")
    int nBatch;

    @Option(names = "--n-seq", split = ",", paramLabel = "N",
            description = "batch axis: parallel sequences in multi-sequence decode (default 1; >1 not yet supported)")
    List<Integer> nSeq;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "5", description = "repetitions per test (default ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = {"-o", "--output"}, defaultValue = "md", description = "stdout format: md, csv, json, jsonl (default ${DEFAULT-VALUE})")
    Reports.Format format;

    @Option(names = "--plot", paramLabel = "DIR",
            description = "write charts (PNG, SVG) of t/s and J/token per swept axis, plus results.json and results.csv")
    Path plotDir;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the rows as JSON to FILE")
    Path jsonFile;

    @Option(names = "--idle", defaultValue = "2", paramLabel = "SECONDS",
            description = "idle-baseline measurement before the run when a power source exists (default ${DEFAULT-VALUE} s; 0: none)")
    double idleSeconds;

    @Option(names = "--power", defaultValue = "auto", description = "power source: auto (detect) or none")
    String power;

    @Option(names = "--power-interval", defaultValue = "50", paramLabel = "MS",
            description = "sampling interval of power rails (default ${DEFAULT-VALUE} ms)")
    long powerIntervalMs;

    @Option(names = "--sysfs", paramLabel = "DIR", description = "sysfs root for power readers (default /sys)")
    Path sysfs;

    @Option(names = "--no-warmup", description = "skip the untimed warm-up run of each test")
    boolean noWarmup;

    @Option(names = "--seed", defaultValue = "1234", description = "seed of the random token ids")
    long seed;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "where the default synthetic model is written (default ~/.cache/edgellm)")
    Path cacheDir;

    @Option(names = "--vs-llama-cpp", arity = "0..1", fallbackValue = "", paramLabel = "LLAMA_BENCH",
            description = {"run llama.cpp's llama-bench (this path, or $" + LlamaBench.ENV + " when no path is given)"
                    + " side by side: both engines on the same file and settings, interleaved per round;"
                    + " one row per test with both t/s and the ratio"})
    String vsLlamaCpp;

    @Option(names = "--profile",
            description = {"instead of timing tests: where the time of one prefill chunk (the first -p) and one decode"
                    + " step (mean of the first -n steps) goes, per weight type and shape of every matmul (GB/s,"
                    + " GFLOP/s, activation rounding, thread wake/join, imbalance), the rest of the forward pass, and"
                    + " sampling; a markdown report"})
    boolean profile;

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "N",
            description = "with --vs-llama-cpp: interleaved rounds, each -r repetitions per engine (default ${DEFAULT-VALUE})")
    int rounds;

    @Spec
    CommandSpec spec;

    /** stdout and stderr: picocli's writers (the CLI and tests set them). */
    private PrintWriter out;
    private PrintWriter err;
    /** How models are opened (tests replace this). */
    BenchRunner.TargetFactory factory = EngineTargets::open;
    /** How llama-bench is run (tests replace this). */
    LlamaBench.Exec llamaExec = LlamaBench.processExec();
    /** The environment ({@link LlamaBench#ENV}); tests replace it. */
    java.util.function.Function<String, String> env = System::getenv;

    /** Runs the command on its own (without the engine CLI): {@code java -cp edgellm.jar io.edgellm.bench.runner.BenchCommand ...}. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        if (models.isEmpty()) {
            models.add(defaultSyntheticModel());
        }
        for (Path m : models) {
            if (!Files.isRegularFile(m)) {
                throw new IllegalArgumentException("model file not found: " + m);
            }
            // (synth:PRESET:TYPE specs are accepted by the JMH benchmarks; here, write one with `edgellm synth`.)
        }
        int cores = Runtime.getRuntime().availableProcessors();
        BenchConfig config = new BenchConfig(models, orDefault(nPrompt, 512), orDefault(nGen, 128),
                orDefault(depths, 0), orDefault(threads, cores), nBatch, orDefault(nSeq, 1), repetitions, !noWarmup,
                Duration.ofMillis((long) (idleSeconds * 1000)), seed);
        if (vsLlamaCpp != null && profile) {
            throw new IllegalArgumentException("--vs-llama-cpp and --profile are separate runs: give one of them");
        }
        if (vsLlamaCpp != null) {
            return sideBySide(config);
        }
        if (profile) {
            out.print(new StepProfile(config, factory, err).run());
            out.print("kernels: " + io.edgellm.quant.kernel.Kernels.description() + "\n");
            out.flush();
            return 0;
        }
        try (EnergyMeter meter = meter()) {
            err.println("power: " + meter.description());
            List<BenchRow> rows = new BenchRunner(config, factory, meter, err, backend()).run();
            out.print(Reports.format(rows, format));
            out.flush();
            if (jsonFile != null) {
                Files.writeString(jsonFile, Reports.format(rows, Reports.Format.json));
                err.println("wrote " + jsonFile);
            }
            if (plotDir != null) {
                List<Path> files = new ArrayList<>(Charts.write(rows, plotDir));
                Path json = plotDir.resolve("results.json");
                Path csv = plotDir.resolve("results.csv");
                Files.writeString(json, Reports.format(rows, Reports.Format.json));
                Files.writeString(csv, Reports.format(rows, Reports.Format.csv));
                files.add(json);
                files.add(csv);
                err.println("wrote " + files.size() + " files to " + plotDir + ": "
                        + files.stream().map(p -> p.getFileName().toString()).toList());
            }
        }
        return 0;
    }

    private int sideBySide(BenchConfig config) throws Exception {
        String exe = vsLlamaCpp.isEmpty() ? env.apply(LlamaBench.ENV) : vsLlamaCpp;
        if (exe == null || exe.isBlank()) {
            throw new IllegalArgumentException("--vs-llama-cpp needs the path of llama-bench (or set " + LlamaBench.ENV + ")");
        }
        Path llamaBench = Path.of(exe);
        if (!Files.isExecutable(llamaBench)) {
            throw new IllegalArgumentException("llama-bench not found or not executable: " + llamaBench);
        }
        List<SideBySide.Row> rows = new SideBySide(config, rounds, factory, new LlamaBench(llamaBench, llamaExec), err,
                backend()).run();
        out.print(SideBySide.format(rows, format));
        out.flush();
        if (jsonFile != null) {
            Files.writeString(jsonFile, SideBySide.format(rows, Reports.Format.json));
            err.println("wrote " + jsonFile);
        }
        return 0;
    }

    private static List<Integer> orDefault(List<Integer> v, int d) {
        return v == null || v.isEmpty() ? List.of(d) : v;
    }

    private EnergyMeter meter() {
        if (power.equalsIgnoreCase("none")) {
            return EnergyMeter.none("disabled by --power none");
        }
        if (sysfs == null && System.getProperty("edgellm.power.sysfs") == null) {
            Sysfs s = Sysfs.system();
            return EnergyMeters.detect(s, Duration.ofMillis(powerIntervalMs));
        }
        Path root = sysfs != null ? sysfs : Path.of(System.getProperty("edgellm.power.sysfs"));
        return EnergyMeters.detect(new Sysfs(root), Duration.ofMillis(powerIntervalMs));
    }

    /** The backend column: the JVM and its Vector API width, e.g. {@code "JVM Vector 256"}. */
    static String backend() {
        SystemIdentity id = SystemIdentity.current();
        return id.vectorBits() > 0 ? "JVM Vector " + id.vectorBits() : "JVM scalar";
    }

    /** Writes (once) and returns the default model: synthetic llama-3.2-1b in Q4_0, seed 42. */
    private Path defaultSyntheticModel() throws Exception {
        Path dir = cacheDir != null ? cacheDir : ModelFiles.cacheDir();
        err.println("no -m given: using a synthetic llama-3.2-1b Q4_0 (random weights) in " + dir
                + " (written on first use, ~0.7 GB)");
        return ModelFiles.synthetic(ModelPreset.byName("llama-3.2-1b"), GgmlType.Q4_0, dir);
    }
}
