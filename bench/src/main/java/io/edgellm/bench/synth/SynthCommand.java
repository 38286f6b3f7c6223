package io.edgellm.bench.synth;

import io.edgellm.quant.GgmlType;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgellm synth --preset NAME --type TYPE -o OUT.gguf [--vocab VOCAB.gguf] [--layers N] [--seed N]}: writes a
 * random-weight GGUF with the exact shape of a known model ({@link SyntheticModel}); {@code --layers} keeps every
 * per-block shape but writes only N blocks ({@link ModelPreset#withLayers(int)}).
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a GGUF with the shape and metadata of a known model and random weights (for benchmarks).",
                "Presets: llama-3.2-1b, llama-3.2-3b, llama-3.1-8b, llama-3-8b, mistral-7b, mistral-7b-v0.3, "
                        + "mixtral-8x7b, tinyllama-1.1b, smollm2-135m, smollm2-360m, phi-2, phi-3-mini-4k, "
                        + "deepseek-r1-distill-qwen-1.5b, deepseek-r1-distill-qwen-7b, qwen2.5-0.5b, qwen2.5-1.5b, "
                        + "gemma-2b, gemma-2-2b, tiny (test shape)."})
public final class SynthCommand implements Callable<Integer> {

    @Option(names = "--preset", required = true, description = "model shape: ${COMPLETION-CANDIDATES}",
            completionCandidates = PresetNames.class)
    String preset;

    @Option(names = "--type", defaultValue = "Q4_0",
            description = "weight type: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 (default ${DEFAULT-VALUE})")
    String type;

    @Option(names = {"-o", "--output"}, required = true, description = "output GGUF file")
    Path output;

    @Option(names = "--vocab", description = "vocabulary GGUF whose tokenizer.* keys are copied "
            + "(e.g. ../shared/vocab/ggml-vocab-llama-bpe.gguf for llama-3.x); default: synthetic SentencePiece vocab")
    Path vocab;

    @Option(names = "--layers", description = "write only N transformer blocks (same per-block shapes; e.g. "
            + "--layers 2 for a Mixtral-shaped file that fits in memory); default: the preset's block count")
    Integer layers;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    /** Preset names for picocli's completion and help. */
    static final class PresetNames extends java.util.ArrayList<String> {
        PresetNames() {
            super(ModelPreset.names());
        }
    }

    /** Runs the command on its own (without the engine CLI): {@code java -cp edgellm.jar io.edgellm.bench.synth.SynthCommand ...}. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new SynthCommand()).execute(args));
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelPreset p = ModelPreset.byName(preset);
        if (layers != null) {
            p = p.withLayers(layers);
        }
        GgmlType t;
        try {
            t = GgmlType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type '" + type + "'; use one of " + SyntheticModel.SUPPORTED_TYPES);
        }
        if (vocab != null && !Files.isRegularFile(vocab)) {
            throw new IllegalArgumentException("vocabulary file not found: " + vocab);
        }
        long t0 = System.nanoTime();
        io.edgellm.engine.ProgressLine progress = new io.edgellm.engine.ProgressLine(err, "synth",
                io.edgellm.engine.ProgressLine.stderrIsTerminal());
        ModelPreset written = SyntheticModel.write(p, t, output, vocab, seed, progress);
        progress.finish();
        if (written.vocab() != p.vocab()) {
            err.printf(Locale.ROOT, "note: %s has %d tokens, the preset %d; token_embd uses %d rows%n", vocab,
                    written.vocab(), p.vocab(), written.vocab());
        }
        out.printf(Locale.ROOT, "wrote %s: %s, %s, %.2f M params, %.1f MiB in %.1f s%n", output, written, t,
                written.parameterCount() / 1e6, Files.size(output) / 1048576.0, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
