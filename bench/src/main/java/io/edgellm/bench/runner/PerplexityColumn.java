package io.edgellm.bench.runner;

import io.edgellm.Model;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.bench.accuracy.ChunkEvaluator;
import io.edgellm.bench.accuracy.Perplexity;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code bench --ppl-file}: each model's perplexity over a text (llama-perplexity's method), added to its rows. */
final class PerplexityColumn {
    private PerplexityColumn() {
    }

    static List<BenchRow> add(List<BenchRow> rows, Path text, int nCtx, int chunks, int threads, PrintWriter log)
            throws IOException {
        String t = Files.readString(text, StandardCharsets.UTF_8);
        if (t.endsWith("\n")) t = t.substring(0, t.length() - 1);
        Map<String, Perplexity.Result> byModel = new HashMap<>();
        List<BenchRow> out = new ArrayList<>();
        for (BenchRow r : rows) {
            Perplexity.Result p = byModel.get(r.modelFile());
            if (p == null) {
                try (Model m = Model.load(Path.of(r.modelFile()));
                     Session s = m.newSession(SessionOptions.defaults().withContextLength(nCtx).withBatchSize(nCtx)
                             .withThreads(threads))) {
                    int[] ids = m.tokenizer().encode(t, true, false);
                    p = new Perplexity(nCtx, chunks, m.tokenizer().addsBos() ? m.tokenizer().bosId() : -1)
                            .run(ChunkEvaluator.of(s), ids, null, null);
                }
                byModel.put(r.modelFile(), p);
                if (log != null) {
                    log.println(r.model() + ": " + p.finalLine() + " (" + text.getFileName() + ", c" + nCtx + ", "
                            + p.nChunks() + " chunks)");
                    log.flush();
                }
            }
            out.add(r.withPerplexity(p.ppl(), p.pplError(), text.getFileName() + " c" + nCtx + " x" + p.nChunks()
                    + " chunks (" + p.count() + " tokens scored)"));
        }
        return out;
    }
}
