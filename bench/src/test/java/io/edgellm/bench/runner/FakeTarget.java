package io.edgellm.bench.runner;

/** A stand-in model for runner tests of the bookkeeping: counts positions, burns a little CPU per token. */
class FakeTarget implements BenchTarget {
    final int vocab, nCtx, threads;
    int position;
    long evaluated;
    double sink;

    FakeTarget(int vocab, int nCtx, int threads) {
        this.vocab = vocab;
        this.nCtx = nCtx;
        this.threads = threads;
    }

    @Override public int vocabSize() { return vocab; }
    @Override public int contextSize() { return nCtx; }
    @Override public void reset() { position = 0; }

    @Override
    public void evaluate(int[] tokens) {
        for (int t : tokens) {
            if (t < 0 || t >= vocab) throw new IllegalArgumentException("token " + t);
            for (int i = 0; i < 2000; i++) sink += Math.sqrt(i + t);
        }
        position += tokens.length;
        if (position > nCtx) throw new IllegalStateException("context overflow " + position + " > " + nCtx);
        evaluated += tokens.length;
    }

    @Override public long kvCacheBytes() { return 2L * nCtx * 64 * 4; }
    @Override public int threads() { return threads; }
    @Override public void close() { }
}
