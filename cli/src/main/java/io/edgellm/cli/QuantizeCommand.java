package io.edgellm.cli;

import io.edgellm.engine.ModelQuantizer;
import io.edgellm.quant.GgmlType;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgellm quantize IN OUT TYPE [--pure]}: like llama.cpp's {@code llama-quantize}. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Convert the weights of a GGUF model to another type (like llama-quantize).",
                "TYPE: Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, F16, BF16, F32. 1-D tensors and norms stay as they are;",
                "rows that are not a multiple of the block size fall back to F16; without --pure the output",
                "(or tied embedding) tensor follows llama.cpp's rule (Q8_0 when its rows are not a multiple of 256)."})
public final class QuantizeCommand implements Callable<Integer> {

    /** Creates the command / architecture (used by picocli or the registry). */
    public QuantizeCommand() {
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "input GGUF")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "output GGUF (overwritten)")
    Path out;

    @Parameters(index = "2", paramLabel = "TYPE", description = "target type")
    String type;

    @Option(names = "--pure", description = "every quantizable tensor gets TYPE (no output-tensor rule)")
    boolean pure;

    @Option(names = {"-q", "--quiet"}, description = "no per-tensor lines")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        GgmlType target;
        try {
            target = GgmlType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type '" + type + "' (supported: " + ModelQuantizer.FILE_TYPE.keySet() + ")");
        }
        if (!ModelQuantizer.FILE_TYPE.containsKey(target)) {
            throw new IllegalArgumentException("cannot quantize to " + target + " (supported: " + ModelQuantizer.FILE_TYPE.keySet() + ")");
        }
        if (Files.exists(out) && Files.isSameFile(in, out)) {
            throw new IllegalArgumentException("OUT must differ from IN: " + out);
        }
        PrintWriter err = spec.commandLine().getErr();
        ModelQuantizer.quantize(in, out, target, pure, line -> {
            if (!quiet) err.println(line);
        });
        err.printf("edgellm: wrote %s (%d bytes)%n", out, Files.size(out));
        err.flush();
        return 0;
    }
}
