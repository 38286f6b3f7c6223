package io.edgellm.cli;

import io.edgellm.KvCacheType;
import io.edgellm.Model;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.bench.accuracy.ChunkEvaluator;
import io.edgellm.bench.accuracy.KlDivergence;
import io.edgellm.bench.accuracy.KldBaseFile;
import io.edgellm.bench.accuracy.Perplexity;
import io.edgellm.quant.kernel.ActivationPrecision;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgellm perplexity}: llama-perplexity's perplexity and KL-divergence modes, same method, flags and output.
 *
 * <pre>
 * ./edgellm perplexity -m model.gguf -f wiki.test.raw -c 512                          # [1]x,[2]y,... Final estimate
 * ./edgellm perplexity -m f16.gguf -f text.txt --kl-divergence-base base.kld         # also save base log-probs
 * ./edgellm perplexity -m q4_0.gguf --kl-divergence-base base.kld --kl-divergence    # compare against them
 * </pre>
 */
@Command(name = "perplexity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Perplexity of a model over a text, or its KL divergence against saved base logits, as llama-perplexity computes them.",
                "The text is cut into chunks of n_ctx tokens; each chunk's first token is replaced by BOS and its second half is scored."})
public final class PerplexityCommand implements Callable<Integer> {

    /** Creates the command (used by picocli). */
    public PerplexityCommand() {
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF model file")
    Path model;

    @Option(names = {"-f", "--file"}, description = "text file (UTF-8; one trailing newline is dropped, as llama.cpp does)")
    Path textFile;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "512", description = "chunk length n_ctx (default ${DEFAULT-VALUE})")
    int nCtx;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "2048", description = "tokens per forward pass, capped at n_ctx (default ${DEFAULT-VALUE})")
    int nBatch;

    @Option(names = "--chunks", defaultValue = "-1", description = "at most this many chunks, -1 = all (default ${DEFAULT-VALUE})")
    int chunks;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "threads, 0 = all processors (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = {"-ctk", "--cache-type"}, defaultValue = "f32", description = "KV cache type: f32 or f16 (default ${DEFAULT-VALUE})")
    String cacheType;

    @Option(names = "--f32-activations", description = "keep matmul inputs in F32 instead of llama.cpp's vec_dot_type rounding")
    boolean f32Activations;

    @Option(names = "--kl-divergence-base", paramLabel = "FILE",
            description = "without --kl-divergence: also write the scored rows' log-probabilities to FILE (llama.cpp's format, "
                    + "2 bytes per vocabulary entry and position); with it: read the base from FILE")
    Path klBase;

    @Option(names = "--kl-divergence", description = "compare this model with the base of --kl-divergence-base (no -f needed)")
    boolean klDivergence;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (nCtx < 4) throw new IllegalArgumentException("--ctx-size must be at least 4, got " + nCtx);
        if (nBatch < 1) throw new IllegalArgumentException("--batch-size must be at least 1, got " + nBatch);
        if (klDivergence && klBase == null) {
            throw new IllegalArgumentException("--kl-divergence needs --kl-divergence-base FILE (written by an earlier run)");
        }
        if (!klDivergence && textFile == null) throw new IllegalArgumentException("give the text with -f FILE");
        KvCacheType kv = switch (cacheType.toLowerCase(Locale.ROOT)) {
            case "f32" -> KvCacheType.F32;
            case "f16" -> KvCacheType.F16;
            default -> throw new IllegalArgumentException("--cache-type must be f32 or f16, got '" + cacheType + "'");
        };
        KldBaseFile.Reader base = klDivergence ? new KldBaseFile.Reader(klBase) : null;
        try (base; Model m = Model.load(model)) {
            int ctx = base != null ? base.nCtx() : nCtx;
            SessionOptions options = SessionOptions.defaults().withContextLength(ctx).withBatchSize(Math.min(nBatch, ctx))
                    .withThreads(threads).withKvCacheType(kv)
                    .withActivationPrecision(f32Activations ? ActivationPrecision.F32 : ActivationPrecision.VEC_DOT_TYPE);
            int bos = m.tokenizer().addsBos() ? m.tokenizer().bosId() : -1;
            if (m.tokenizer().addsEos()) {
                throw new IllegalArgumentException(model + ": the vocabulary adds EOS; llama-perplexity does not support that");
            }
            try (Session s = m.newSession(options)) {
                ChunkEvaluator ev = ChunkEvaluator.of(s);
                return base != null ? kld(ev, m, base, out, err) : ppl(ev, m, bos, out, err);
            }
        }
    }

    private int ppl(ChunkEvaluator ev, Model m, int bos, PrintWriter out, PrintWriter err) throws Exception {
        String text = Files.readString(textFile, StandardCharsets.UTF_8);
        if (text.endsWith("\n")) text = text.substring(0, text.length() - 1);
        long t0 = System.nanoTime();
        int[] tokens = m.tokenizer().encode(text, true, false);
        err.printf(Locale.ROOT, "perplexity: tokenizing the input .. %d tokens in %.1f ms%n", tokens.length,
                (System.nanoTime() - t0) / 1e6);
        if (tokens.length < 2 * nCtx) {
            throw new IllegalArgumentException(textFile + ": you need at least " + (2 * nCtx) + " tokens to evaluate "
                    + "perplexity with a context of " + nCtx + "; the text tokenizes to only " + tokens.length);
        }
        if (chunks == 0) throw new IllegalArgumentException("--chunks must be -1 (all) or at least 1");
        Perplexity p = new Perplexity(nCtx, chunks, bos);
        int nChunk = p.chunks(tokens.length);
        err.printf(Locale.ROOT, "perplexity: calculating perplexity over %d chunks, n_ctx=%d, batch_size=%d, n_seq=1%n",
                nChunk, nCtx, Math.min(nBatch, nCtx));
        long[] start = {System.nanoTime()};
        Perplexity.ChunkListener l = (i, n, ppl) -> {
            if (i == 1) {
                double sec = (System.nanoTime() - start[0]) / 1e9;
                err.printf(Locale.ROOT, "perplexity: %.2f seconds per pass - ETA %.2f minutes%n", sec, sec * n / 60);
                err.flush();
            }
            out.printf(Locale.ROOT, "[%d]%.4f,", i, ppl);
            out.flush();
        };
        Perplexity.Result r;
        if (klBase != null) {
            try (KldBaseFile.Writer w = new KldBaseFile.Writer(klBase, nCtx, m.config().vocabSize(), nChunk, tokens)) {
                r = p.run(ev, tokens, w, l);
            }
        } else {
            r = p.run(ev, tokens, null, l);
        }
        out.println();
        out.println(r.finalLine());
        if (klBase != null) err.println("perplexity: wrote the KLD base to " + klBase + " (" + Files.size(klBase) + " bytes)");
        err.printf(Locale.ROOT, "perplexity: %d tokens scored in %.2f s (%.1f tokens/s evaluated)%n", r.count(), r.seconds(),
                (double) r.nChunks() * (nCtx - 1) / r.seconds());
        return 0;
    }

    private int kld(ChunkEvaluator ev, Model m, KldBaseFile.Reader base, PrintWriter out, PrintWriter err) throws Exception {
        int n = chunks < 0 ? base.nChunk() : Math.min(chunks, base.nChunk());
        err.printf(Locale.ROOT, "kl_divergence: computing over %d chunks, n_ctx=%d, batch_size=%d, n_seq=1%n", n,
                base.nCtx(), Math.min(nBatch, base.nCtx()));
        out.println(KlDivergence.Running.HEADER);
        KlDivergence.Stats st = new KlDivergence(chunks, m.tokenizer().addsBos() ? m.tokenizer().bosId() : -1)
                .run(ev, m.config().vocabSize(), base, (row, total) -> {
                    out.println(row.format());
                    out.flush();
                });
        out.println();
        if (st == null) {
            err.println("kl_divergence: fewer than 100 tokens scored: no statistics (as llama.cpp)");
        } else {
            out.print(st.format());
        }
        return 0;
    }
}
