package io.edgellm.cli;

import io.edgellm.quant.gguf.GgufArray;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import io.edgellm.quant.gguf.GgufValueType;
import io.edgellm.quant.gguf.Printable;
import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgellm inspect}: the metadata and tensor table of a GGUF file (like gguf-py's {@code gguf-dump}). */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print the metadata (long arrays abbreviated) and the tensor table of a GGUF file.")
public final class InspectCommand implements Callable<Integer> {

    /** Creates the command / architecture (used by picocli or the registry). */
    public InspectCommand() {
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "GGUF file")
    Path file;

    @Option(names = {"-m", "--model"}, description = "GGUF file (alternative to the positional FILE)")
    Path model;

    @Option(names = "--max-array", defaultValue = "8", description = "array elements shown before '...' (default ${DEFAULT-VALUE})")
    int maxArray;

    @Option(names = "--no-tensors", description = "metadata only")
    boolean noTensors;

    @Option(names = "--memory", description = "print what a run will need (weights by type, KV cache, scratch, Java heap) "
            + "and whether it fits in MemAvailable, instead of the metadata")
    boolean memory;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "4096", description = "--memory: context per sequence (default ${DEFAULT-VALUE})")
    int ctx;

    @Option(names = {"-np", "--parallel"}, defaultValue = "1", description = "--memory: sequences, one session each (default ${DEFAULT-VALUE})")
    int nSeq;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "512", description = "--memory: n_batch (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "--memory: threads, 0 = all processors")
    int threads;

    @Option(names = {"-ctk", "--cache-type"}, defaultValue = "f32", description = "--memory: KV cache type f32 or f16 (default ${DEFAULT-VALUE})")
    String cacheType;

    @Option(names = "--meminfo", hidden = true, defaultValue = "/proc/meminfo")
    Path meminfo;

    @Override
    public Integer call() throws Exception {
        Path p = file != null ? file : model;
        if (p == null) throw new IllegalArgumentException("no file: give FILE or -m FILE");
        PrintWriter out = spec.commandLine().getOut();
        if (memory) {
            io.edgellm.KvCacheType kv = switch (cacheType.toLowerCase(java.util.Locale.ROOT)) {
                case "f32" -> io.edgellm.KvCacheType.F32;
                case "f16" -> io.edgellm.KvCacheType.F16;
                default -> throw new IllegalArgumentException("--cache-type must be f32 or f16, got '" + cacheType + "'");
            };
            try (io.edgellm.Model m = io.edgellm.Model.load(p)) {   // maps the file and reads the header only
                int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
                io.edgellm.bench.memory.MemoryEstimate e = io.edgellm.bench.memory.MemoryEstimate.of(m.gguf(), m.config(),
                        ctx, nSeq, batch, t, kv);
                out.printf("%s: n_ctx %d, -np %d, n_batch %d, %d threads, KV %s%n", p, ctx, nSeq, batch, t,
                        kv.name().toLowerCase(java.util.Locale.ROOT));
                out.print(e.format(io.edgellm.bench.memory.MemoryEstimate.memAvailable(meminfo)));
            }
            out.flush();
            return 0;
        }
        try (GgufFile f = GgufFile.open(p)) {
            out.printf("%s: GGUF v%d, %d metadata keys, %d tensors, alignment %d, data at offset %d%n", p, f.version(),
                    f.metadata().size(), f.tensors().size(), f.alignment(), f.dataOffset());
            out.println("metadata:");
            for (Map.Entry<String, Object> e : f.metadata().entrySet()) {
                GgufValueType type = f.typeOf(e.getKey()).orElse(null);
                out.printf("  %-44s %-8s %s%n", Printable.escape(e.getKey()), typeName(type, e.getValue()), format(e.getValue()));
            }
            if (!noTensors) {
                out.println("tensors:");
                out.printf("  %-5s %-40s %-6s %-24s %14s %12s%n", "#", "name", "type", "dims", "offset", "bytes");
                long total = 0;
                int i = 0;
                for (GgufTensorInfo t : f.tensors()) {
                    out.printf("  %-5d %-40s %-6s %-24s %14d %12d%n", i++, Printable.escape(t.name()), t.type(), Arrays.toString(t.dims()),
                            f.dataOffset() + t.offset(), t.byteSize());
                    total += t.byteSize();
                }
                out.printf("  total tensor bytes: %d (%.2f MiB)%n", total, total / 1048576.0);
            }
        }
        out.flush();
        return 0;
    }

    private static String typeName(GgufValueType type, Object v) {
        if (v instanceof GgufArray a) return "[" + a.elementType() + "]";
        return type != null ? type.name() : "?";
    }

    private String format(Object v) {
        if (v instanceof GgufArray a) {
            int n = a.length();
            StringBuilder sb = new StringBuilder("(" + n + ") [");
            for (int i = 0; i < Math.min(n, maxArray); i++) {
                if (i > 0) sb.append(", ");
                Object x = Array.get(a.values(), i);
                sb.append(x instanceof String s ? quote(s) : x instanceof GgufArray ? "[...]" : String.valueOf(x));
            }
            return sb.append(n > maxArray ? ", ...]" : "]").toString();
        }
        if (v instanceof String s) return quote(s.length() > 200 ? s.substring(0, 200) + "..." : s);
        return String.valueOf(v);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            if (c == '\n') sb.append("\\n");
            else if (c == '\t') sb.append("\\t");
            else sb.append(c);
        }
        return sb.append('\'').toString().transform(Printable::escape);
    }
}
