package io.edgellm.bench.runner;

import io.edgellm.bench.energy.EnergyMeter;
import io.edgellm.bench.energy.EnergyMeters;
import io.edgellm.bench.energy.Sysfs;
import io.edgellm.bench.synth.ModelPreset;
import io.edgellm.bench.thermal.ThermalMonitor;
import io.edgellm.bench.thermal.ThermalReader;
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

    @Option(names = {"-np", "--n-seq"}, split = ",", paramLabel = "N",
            description = "batch axis: parallel sequences decoding together in tg tests, sharing the prompt (default 1;"
                    + " t/s is then the aggregate, plus t/s per sequence)")
    List<Integer> nSeq;

    @Option(names = "--reasoning", paramLabel = "PROMPT",
            description = {"also run a 'think' test per -n: PROMPT as the user message through the model's chat template"
                    + " (greedy, at most n_gen tokens), reporting n_think (thinking tokens up to and including </think>),"
                    + " n_answer (tokens after it) and TTFAT ms (time to first answer token; not llama-bench columns)"})
    String reasoning;

    @Option(names = "--reasoning-budget", paramLabel = "N", defaultValue = "-1",
            description = "with --reasoning: end thinking after N tokens by inserting </think> (default -1: no budget)")
    int reasoningBudget;

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

    @Option(names = "--power-cmd", paramLabel = "CMD",
            description = "an external meter: a shell command printing watts (USB-C meter, lab supply), sampled every --power-interval")
    String powerCmd;

    @Option(names = "--power-interval", defaultValue = "50", paramLabel = "MS",
            description = "sampling interval of power rails (default ${DEFAULT-VALUE} ms)")
    long powerIntervalMs;

    @Option(names = "--sysfs", paramLabel = "DIR", description = "sysfs root for power, thermal and clock readers (default /sys)")
    Path sysfs;

    @Option(names = "--thermal-interval", defaultValue = "500", paramLabel = "MS",
            description = "sampling interval of temperatures, clocks and throttle flags (default ${DEFAULT-VALUE} ms)")
    long thermalIntervalMs;

    @Option(names = "--ppl-file", paramLabel = "TEXT",
            description = "also measure each model's perplexity over TEXT (llama-perplexity's method) into a PPL column")
    Path pplFile;

    @Option(names = "--ppl-ctx", defaultValue = "256", paramLabel = "N", description = "n_ctx of --ppl-file (default ${DEFAULT-VALUE})")
    int pplCtx;

    @Option(names = "--ppl-chunks", defaultValue = "8", paramLabel = "K",
            description = "chunks of --ppl-file, -1 = all (default ${DEFAULT-VALUE}; small, for a quick column)")
    int pplChunks;

    @Option(names = "--duration", paramLabel = "TIME",
            description = "sustained run instead of the sweep: decode for TIME (e.g. 10m, 90s) with the first model and "
                    + "thread count, writing a time series of t/s, W, °C and clock (CSV + charts, into --plot DIR or ./sustained)")
    String duration;

    @Option(names = "--sample-interval", paramLabel = "TIME",
            description = "interval of the sustained time series (default: 1s, shorter for runs under 20 s)")
    String sampleInterval;

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
        Sysfs sys = sysfsRoot();
        try (EnergyMeter meter = meter();
             ThermalMonitor thermal = new ThermalMonitor(ThermalReader.probe(sys, commands), Duration.ofMillis(thermalIntervalMs))) {
            err.println("power: " + meter.description());
            err.println("thermal: " + thermal.description());
            if (duration != null) {
                return sustained(meter, thermal);
            }
            List<BenchRow> rows = new BenchRunner(config, factory, meter, thermal, err, backend())
                    .reasoning(reasoning, reasoningBudget).run();
            if (pplFile != null) {
                rows = PerplexityColumn.add(rows, pplFile, pplCtx, pplChunks, config.threads().stream()
                        .mapToInt(Integer::intValue).max().orElse(0), err);
            }
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

    /**
     * Parses {@code 10m}, {@code 90s}, {@code 1h}, {@code 500ms} or a plain number of seconds.
     *
     * @param s the text
     * @return the duration
     */
    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            double v = Double.parseDouble(t.replaceAll("[hms]$", ""));
            double sec = t.endsWith("h") ? v * 3600 : t.endsWith("m") ? v * 60 : v;
            if (!(sec > 0) || sec > 7 * 86400) throw new NumberFormatException();
            return Duration.ofMillis(Math.round(sec * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + s + "' (use e.g. 10m, 90s, 1h, 500ms)");
        }
    }

    private int sustained(EnergyMeter meter, ThermalMonitor thermal) throws Exception {
        Duration d = parseDuration(duration);
        Duration iv = sampleInterval != null ? parseDuration(sampleInterval)
                : d.toSeconds() >= 20 ? Duration.ofSeconds(1) : Duration.ofMillis(Math.max(100, d.toMillis() / 10));
        Path model = models.get(0);
        int t = threads == null || threads.isEmpty() ? Runtime.getRuntime().availableProcessors() : threads.get(0);
        int nCtx = Math.max(16, orDefault(nGen, 128).get(0) * 2);
        Path dir = plotDir != null ? plotDir : Path.of("sustained");
        err.println("sustained: decoding with " + model.getFileName() + " at " + t + " threads for " + d.toSeconds()
                + " s, one point per " + iv.toMillis() + " ms (KV cache " + nCtx + ")");
        SustainedRun.Result r;
        try (BenchTarget target = factory.open(model, t, nCtx)) {
            r = new SustainedRun(target, meter, thermal, err).run(d, iv, seed);
        }
        SystemIdentity id = SystemIdentity.current();
        String sub = id.cpu() + " (" + id.coresAvailable() + " cores) · JDK " + id.jdk() + " · " + id.vectorBits()
                + "-bit vectors · threads " + t + " · power: " + (meter.available() ? meter.description() : "none");
        List<Path> files = SustainedRun.write(r, dir, sub.length() > 160 ? sub.substring(0, 160) + "…" : sub);
        out.print(r.summary());
        out.println("power: " + meter.description());
        out.println("thermal: " + thermal.description());
        out.flush();
        err.println("wrote " + files.size() + " files to " + dir + ": " + files.stream().map(p -> p.getFileName().toString()).toList());
        return 0;
    }

    /** Runs vcgencmd / nvpmodel (tests replace this). */
    io.edgellm.bench.energy.CommandRunner commands = io.edgellm.bench.energy.CommandRunner.system(Duration.ofSeconds(2));

    private Sysfs sysfsRoot() {
        if (sysfs != null) return new Sysfs(sysfs);
        String p = System.getProperty("edgellm.power.sysfs");
        return p != null ? new Sysfs(Path.of(p)) : Sysfs.system();
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

    private EnergyMeter meter() throws java.io.IOException {
        if (power.equalsIgnoreCase("none")) {
            return EnergyMeter.none("disabled by --power none");
        }
        if (powerCmd != null) {
            io.edgellm.bench.energy.CommandPowerMeter m = new io.edgellm.bench.energy.CommandPowerMeter(powerCmd, commands);
            m.read(0); // fail now, with the command's message, rather than with NaN rows
            return new io.edgellm.bench.energy.SamplingEnergyMeter(m, Duration.ofMillis(powerIntervalMs));
        }
        return EnergyMeters.detect(sysfsRoot(), Duration.ofMillis(powerIntervalMs), commands);
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
