package io.edgellm.cli;

import io.edgellm.engine.LlamaFtype;
import io.edgellm.engine.ModelQuantizer;
import io.edgellm.engine.ProgressLine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgellm quantize IN OUT TYPE [--pure]}: like llama.cpp's {@code llama-quantize} (without imatrix). */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Convert the weights of a GGUF model to another type or K-quant mix (like llama-quantize,",
                "byte-identical output). TYPE: Q2_K, Q3_K_S, Q3_K_M, Q3_K_L, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M,",
                "Q6_K, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, F16, BF16, F32 (Q3_K/Q4_K/Q5_K = the _M mixes; or the",
                "llama_ftype number). 1-D tensors and norms stay as they are; without --pure the mixes follow",
                "llama.cpp's per-tensor rules (output Q6_K, attn_v/ffn_down bumps); rows that are not a",
                "multiple of 256 fall back to a 32-block type, rows not a multiple of 32 to F16."})
public final class QuantizeCommand implements Callable<Integer> {

    /** Creates the command (used by picocli). */
    public QuantizeCommand() {
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "input GGUF")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "output GGUF (overwritten)")
    Path out;

    @Parameters(index = "2", paramLabel = "TYPE", description = "target type or mix")
    String type;

    @Option(names = "--pure", description = "every quantizable tensor gets TYPE's default type (no mix rules)")
    boolean pure;

    @Option(names = {"-q", "--quiet"}, description = "no per-tensor lines")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        LlamaFtype ftype = LlamaFtype.parse(type);
        if (Files.exists(out) && Files.isSameFile(in, out)) {
            throw new IllegalArgumentException("OUT must differ from IN: " + out);
        }
        PrintWriter err = spec.commandLine().getErr();
        ProgressLine progress = new ProgressLine(err, "quantize", ProgressLine.stderrIsTerminal());
        ModelQuantizer.quantize(in, out, ftype, pure, line -> {
            if (!quiet) progress.println(line);
        }, progress);
        progress.finish();
        err.printf("edgellm: wrote %s (%s, general.file_type %d, %d bytes)%n", out, ftype, ftype.id(), Files.size(out));
        err.flush();
        return 0;
    }
}
