package io.edgellm.bench.runner;

import io.edgellm.Model;
import io.edgellm.Session;
import io.edgellm.SessionOptions;

import java.io.IOException;
import java.nio.file.Path;

/** Opens models through the engine's public API ({@link Model}, {@link Session}) as {@link BenchTarget}s. */
public final class EngineTargets {
    private EngineTargets() {
    }

    /**
     * Loads the model and opens one session with an F32 KV cache of {@code nCtx} positions.
     *
     * @param model   GGUF file
     * @param threads worker threads of the session
     * @param nCtx    context size (KV-cache positions) to allocate
     */
    public static BenchTarget open(Path model, int threads, int nCtx) throws IOException {
        Model m = Model.load(model);
        try {
            Session s = m.newSession(SessionOptions.defaults().withContextLength(nCtx).withThreads(threads));
            return new EngineTarget(m, s, threads);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private record EngineTarget(Model model, Session session, int threads) implements BenchTarget {
        @Override
        public int vocabSize() {
            return model.config().vocabSize();
        }

        @Override
        public int contextSize() {
            return session.contextLength();
        }

        @Override
        public void reset() {
            session.reset();
        }

        @Override
        public void evaluate(int[] tokens) {
            session.evaluate(tokens);
        }

        @Override
        public ParallelDecode decodeParallel(int[] prompt, int nSeq, int nGen) {
            // n_gen + 1 samples per sequence: the first comes from the prompt's logits, the other n_gen need a step
            io.edgellm.SamplingParams p = io.edgellm.SamplingParams.greedy().withMaxNewTokens(nGen + 1).withIgnoreEos(true);
            io.edgellm.Timings t = session.generateParallel(prompt, nSeq, p, null).get(0).timings();
            return new ParallelDecode(t.evalTokens(), t.evalMs() / 1000);
        }

        @Override
        public long kvCacheBytes() {
            return session.kvCacheBytes();
        }

        @Override
        public void close() {
            try {
                session.close();
            } finally {
                model.close();
            }
        }
    }
}
