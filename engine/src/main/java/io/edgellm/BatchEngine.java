package io.edgellm;

import io.edgellm.engine.Batch;
import io.edgellm.engine.KvCache;
import io.edgellm.engine.Sampler;
import io.edgellm.engine.Transformer;
import io.edgellm.tokenizer.StreamingDecoder;
import io.edgellm.tokenizer.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One model, one KV cache, one thread pool and one decoding loop serving many concurrent generations (continuous
 * batching, as llama.cpp's {@code llama-server} slots): {@link #submit} may be called from any number of threads;
 * each request becomes a sequence of the shared KV cache while it runs.
 *
 * <p>Each step of the loop thread ({@code edgellm-batch-loop}):
 * <ol>
 *   <li>admits waiting requests in submission order while one of the {@code maxSequences} sequence ids is free;</li>
 *   <li>builds one {@link Batch}: one token of every decoding sequence, then prompt tokens of prefilling sequences up
 *       to {@code max(n_batch, maxSequences)} tokens in all (a long prompt is prefilled over several steps, beside
 *       the others' decode tokens);</li>
 *   <li>runs one {@link Transformer#forward(Transformer.State, Batch, float[])} over it, so each weight is read once
 *       per step for every sequence;</li>
 *   <li>samples every sequence whose logits came out with its own {@link Sampler}, streams its text to its listener
 *       and finishes sequences on end of generation, a stop string, {@code maxNewTokens}, cancellation or a full
 *       context, freeing their KV cells ({@link KvCache#seqRemove}) so that waiting requests can join.</li>
 * </ol>
 *
 * <p>Context: each sequence may hold up to {@link #sequenceContextLength()} = {@code n_ctx / maxSequences} tokens
 * (llama.cpp's {@code n_ctx_slot}); a sequence reaching it stops with {@link StopReason#CONTEXT_FULL}, so the cache
 * never runs out of cells for the others. A request alone gives what {@link Session#generate} gives in a session with
 * that context length and the same batch size (greedy: the same ids; see {@code BatchEngineTest}).
 *
 * <p>Errors: invalid input is rejected by {@link #submit} with an exception on the caller's thread. A failure while a
 * request runs (a listener that throws, non-finite logits of its row) completes only that request's future
 * exceptionally and frees its sequence; a failed forward pass fails the requests of that batch. {@link #close()}
 * stops the loop and fails every unfinished request with an {@link IllegalStateException}.
 *
 * <p>Listeners run on the loop thread: a slow listener slows every sequence. Thread-safe.
 */
public final class BatchEngine implements AutoCloseable {
    private final Model model;
    private final SessionOptions options;
    private final Transformer transformer;
    private final Transformer.State state;
    private final int vocab;
    private final int maxSequences;
    private final int seqContext;
    private final int stepTokens;
    private final LinkedBlockingQueue<Request> incoming = new LinkedBlockingQueue<>();
    private final Thread loop;
    private volatile boolean closed;
    private volatile int active;
    private volatile long steps;
    private static final Request WAKE = new Request(null, null, null, null);

    /**
     * Creates the engine and starts its loop thread.
     *
     * @param model        the model (must stay open while the engine runs)
     * @param options      {@code contextLength}: KV cells shared by all sequences (n_ctx; 0 = the model's context, at
     *                     most {@link SessionOptions#DEFAULT_MAX_CONTEXT}); {@code batchSize}: tokens per micro-batch
     *                     (n_batch); threads, KV cache type, activation precision and accumulation order as for a
     *                     {@link Session}
     * @param maxSequences sequences decoded at once (llama.cpp {@code -np}), 1 .. {@link KvCache#MAX_SEQUENCES}
     * @throws IllegalArgumentException when {@code maxSequences} is out of range or the context gives a sequence fewer
     *                                  than 2 cells
     */
    public BatchEngine(Model model, SessionOptions options, int maxSequences) {
        if (maxSequences < 1 || maxSequences > KvCache.MAX_SEQUENCES) {
            throw new IllegalArgumentException("maxSequences must be 1 .. " + KvCache.MAX_SEQUENCES + ", got " + maxSequences);
        }
        int nCtx = options.contextLength() > 0 ? options.contextLength()
                : Math.min(model.config().contextLength(), SessionOptions.DEFAULT_MAX_CONTEXT);
        if (nCtx / maxSequences < 2) {
            throw new IllegalArgumentException("context of " + nCtx + " cells gives each of " + maxSequences
                    + " sequences fewer than 2 (use a larger context, -c, or fewer sequences, -np)");
        }
        this.model = model;
        this.options = options;
        this.maxSequences = maxSequences;
        this.seqContext = nCtx / maxSequences;
        this.transformer = model.transformer();
        this.state = transformer.newState(nCtx, options.batchSize(), options.effectiveThreads(), options.kvCacheType(),
                options.activationPrecision(), options.accumulationOrder());
        this.vocab = model.config().vocabSize();
        this.stepTokens = Math.max(Math.max(1, options.batchSize()), maxSequences);
        this.loop = new Thread(this::runLoop, "edgellm-batch-loop");
        loop.setDaemon(true);
        loop.start();
    }

    /**
     * A submitted generation: its result and a way to stop it.
     */
    public static final class Request {
        private final int[] promptIds;
        private final SamplingParams sampling;
        private final GenerationListener listener;
        private final CompletableFuture<GenerationResult> future;
        private volatile boolean cancelled;

        Request(int[] promptIds, SamplingParams sampling, GenerationListener listener,
                CompletableFuture<GenerationResult> future) {
            this.promptIds = promptIds;
            this.sampling = sampling;
            this.listener = listener;
            this.future = future;
        }

        /**
         * The result, completed by the loop thread: normally (any {@link StopReason}, including
         * {@link StopReason#CANCELLED}) or exceptionally when the request failed or the engine was closed.
         * Cancelling this future ({@link CompletableFuture#cancel}) also stops the generation.
         *
         * @return the future result
         */
        public CompletableFuture<GenerationResult> result() {
            return future;
        }

        /**
         * Asks the generation to stop after its current token or prefill step; its result then has
         * {@link StopReason#CANCELLED} and the tokens generated so far. A request still waiting ends without being
         * evaluated. Thread-safe; no effect once finished.
         */
        public void cancel() {
            cancelled = true;
        }

        /**
         * Waits for the result.
         *
         * @return the result
         * @throws java.util.concurrent.CompletionException when the request failed (the cause is the error)
         * @throws java.util.concurrent.CancellationException when the future was cancelled
         */
        public GenerationResult join() {
            return future.join();
        }

        boolean stopRequested() {
            return cancelled || future.isCancelled();
        }
    }

    /**
     * Tokenizes {@code prompt} (BOS added when the vocabulary asks for it, special tokens parsed, as
     * {@link Session#generate(String, SamplingParams, GenerationListener)} at position 0) and submits it.
     *
     * @param prompt   the text to continue
     * @param sampling how to pick tokens and when to stop
     * @param listener receives each token and its text on the loop thread; may be null
     * @return the request
     * @throws IllegalArgumentException as {@link #submit(int[], SamplingParams, GenerationListener)}
     * @throws IllegalStateException    when the engine is closed
     */
    public Request submit(String prompt, SamplingParams sampling, GenerationListener listener) {
        return submit(model.tokenizer().encode(prompt, true, true), sampling, listener);
    }

    /**
     * Queues a generation: {@code promptIds} are prefilled as a new sequence, then up to
     * {@link SamplingParams#maxNewTokens()} tokens are sampled. Callable from any thread.
     *
     * @param promptIds token ids (BOS is not added), each in {@code [0, n_vocab)}; copied
     * @param sampling  how to pick tokens and when to stop
     * @param listener  receives each token and its text on the loop thread, in order; may be null
     * @return the request (its future completes when the generation ends)
     * @throws IllegalArgumentException when the prompt is empty, holds an out-of-range id, or is longer than
     *                                  {@link #sequenceContextLength()}
     * @throws IllegalStateException    when the engine is closed
     */
    public Request submit(int[] promptIds, SamplingParams sampling, GenerationListener listener) {
        if (closed) throw new IllegalStateException("batch engine is closed");
        if (promptIds.length == 0) throw new IllegalArgumentException("empty prompt: nothing to condition on");
        if (promptIds.length > seqContext) {
            throw new IllegalArgumentException("prompt is too long: " + promptIds.length + " tokens but a sequence holds "
                    + seqContext + " (n_ctx " + state.contextLength() + " / " + maxSequences
                    + " sequences; use a larger context, -c)");
        }
        for (int i = 0; i < promptIds.length; i++) {
            if (promptIds[i] < 0 || promptIds[i] >= vocab) {
                throw new IllegalArgumentException("token id " + promptIds[i] + " at index " + i
                        + " is out of range [0, " + vocab + ")");
            }
        }
        Request r = new Request(promptIds.clone(), sampling, listener != null ? listener : GenerationListener.NONE,
                new CompletableFuture<>());
        incoming.add(r);
        if (closed && incoming.remove(r)) fail(r, closedError());   // the loop may have drained the queue already
        return r;
    }

    /**
     * Sequences running now (prefilling or decoding).
     *
     * @return 0 .. {@link #maxSequences()}
     */
    public int activeSequences() {
        return active;
    }

    /**
     * Forward passes run so far.
     *
     * @return loop steps that evaluated a batch
     */
    public long steps() {
        return steps;
    }

    /**
     * Most sequences decoded at once.
     *
     * @return maxSequences
     */
    public int maxSequences() {
        return maxSequences;
    }

    /**
     * KV cells shared by all sequences.
     *
     * @return n_ctx, tokens
     */
    public int contextLength() {
        return state.contextLength();
    }

    /**
     * Longest sequence (prompt plus generated tokens).
     *
     * @return {@code n_ctx / maxSequences}, tokens
     */
    public int sequenceContextLength() {
        return seqContext;
    }

    /**
     * Worker threads of the engine's single pool (the loop thread counts as one of them).
     *
     * @return the thread count passed to the pool
     */
    public int threads() {
        return options.effectiveThreads();
    }

    /**
     * Returns the model.
     *
     * @return the model this engine runs
     */
    public Model model() {
        return model;
    }

    /** Stops the loop (after its current step), fails unfinished requests and stops the pool's threads. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        incoming.add(WAKE);
        if (Thread.currentThread() != loop) {
            boolean interrupted = false;
            while (loop.isAlive()) {
                try {
                    loop.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    // ---- the loop ----------------------------------------------------------------------------------------------

    /** A running request: its sequence id and decoding state. Touched only by the loop thread. */
    private final class Seq {
        final Request req;
        final int id;
        final Sampler sampler;
        final StopText text;
        final StreamingDecoder decoder;
        int prefilled;               // prompt tokens evaluated
        int pos;                     // tokens in the cache = the next token's position
        int pending = -1;            // sampled token to evaluate in the next step
        int row = -1;                // logits row in the current step, or -1
        int chunk;                   // prompt tokens in the current step
        int[] generated = new int[16];
        int nGen;
        int nEval;
        long admitted = System.nanoTime();
        double promptMs;
        double evalMs;
        double sampleMs;

        Seq(Request req, int id) {
            this.req = req;
            this.id = id;
            Tokenizer tok = model.tokenizer();
            this.sampler = new Sampler(req.sampling, vocab, tok.endOfGenerationIds(), seqContext);
            for (int t : req.promptIds) sampler.accept(t);
            this.text = new StopText(req.sampling.stopStrings());
            this.decoder = tok.streamingDecoder();
        }
    }

    private void runLoop() {
        ArrayDeque<Request> waiting = new ArrayDeque<>();
        List<Seq> running = new ArrayList<>();
        boolean[] used = new boolean[maxSequences];
        Batch batch = new Batch(stepTokens);
        float[] logits = new float[maxSequences * vocab];   // at most one logits row per sequence a step
        KvCache cache = state.cache();
        try {
            while (!closed) {
                if (running.isEmpty() && waiting.isEmpty()) {
                    Request r = incoming.take();
                    if (r != WAKE) waiting.add(r);
                }
                for (Request r; (r = incoming.poll()) != null; ) if (r != WAKE) waiting.add(r);
                if (closed) break;
                // requests stopped while waiting end without being evaluated
                waiting.removeIf(r -> {
                    if (!r.stopRequested()) return false;
                    r.future.complete(new GenerationResult(r.promptIds.clone(), new int[0], "", StopReason.CANCELLED,
                            new Timings(model.loadMillis(), 0, 0, 0, 0, 0, 0)));
                    return true;
                });
                while (!waiting.isEmpty() && running.size() < maxSequences) {
                    int id = 0;
                    while (used[id]) id++;
                    Request r = waiting.poll();
                    try {
                        running.add(new Seq(r, id));
                        used[id] = true;
                    } catch (RuntimeException e) {
                        fail(r, e);
                    }
                }
                // cancelled between steps: stop before evaluating more of it
                for (int i = running.size() - 1; i >= 0; i--) {
                    Seq s = running.get(i);
                    if (s.req.stopRequested()) {
                        finish(s, StopReason.CANCELLED, cache, used);
                        running.remove(i);
                    }
                }
                active = running.size();
                if (running.isEmpty()) continue;
                batch.clear();
                int outputs = 0;
                for (Seq s : running) {          // one decode token each
                    s.row = -1;
                    s.chunk = 0;
                    if (s.pending >= 0) {
                        batch.add(s.pending, s.pos, s.id, true);
                        s.row = outputs++;
                    }
                }
                for (Seq s : running) {          // then prompt chunks, in admission order
                    if (s.pending >= 0 || batch.size() == stepTokens) continue;
                    int m = Math.min(stepTokens - batch.size(), s.req.promptIds.length - s.prefilled);
                    s.chunk = m;
                    for (int k = 0; k < m; k++) {
                        boolean last = s.prefilled + k == s.req.promptIds.length - 1;
                        batch.add(s.req.promptIds[s.prefilled + k], s.pos + k, s.id, last);
                        if (last) s.row = outputs++;
                    }
                }
                long t0 = System.nanoTime();
                try {
                    transformer.forward(state, batch, logits);
                } catch (RuntimeException | Error e) {
                    for (Seq s : running) {     // the batch's sequences fail; their cells are freed
                        cache.seqRemove(s.id, -1, -1);
                        used[s.id] = false;
                        fail(s.req, e);
                    }
                    running.clear();
                    active = 0;
                    if (e instanceof Error err && !(e instanceof OutOfMemoryError)) throw err;
                    continue;
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                steps++;
                for (int i = running.size() - 1; i >= 0; i--) {
                    Seq s = running.get(i);
                    StopReason reason;
                    try {
                        reason = advance(s, logits, ms);
                    } catch (RuntimeException | Error e) {
                        cache.seqRemove(s.id, -1, -1);
                        used[s.id] = false;
                        running.remove(i);
                        fail(s.req, e);
                        continue;
                    }
                    if (reason != null) {
                        finish(s, reason, cache, used);
                        running.remove(i);
                    }
                }
                active = running.size();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            for (Seq s : running) fail(s.req, t);
            running.clear();
            for (Request r : waiting) fail(r, t);
            waiting.clear();
        } finally {
            closed = true;
            RuntimeException err = closedError();
            for (Seq s : running) fail(s.req, err);
            for (Request r : waiting) fail(r, err);
            for (Request r; (r = incoming.poll()) != null; ) if (r != WAKE) fail(r, err);
            active = 0;
            state.close();
        }
    }

    /**
     * Accounts for the tokens a sequence had in the step just run and, when its logits came out, samples its next
     * token (the decode loop of {@link Session#generate}).
     *
     * @return why it stops, or null to go on
     */
    private StopReason advance(Seq s, float[] logits, double stepMs) {
        SamplingParams sp = s.req.sampling;
        if (s.pending >= 0) {            // its decode token was evaluated
            s.pos++;
            s.nEval++;
            s.evalMs += stepMs;
            s.pending = -1;
        } else {                         // a prompt chunk was evaluated
            int m = s.chunk;
            s.prefilled += m;
            s.pos += m;
            if (s.prefilled < s.req.promptIds.length) return null;
            s.promptMs = (System.nanoTime() - s.admitted) / 1e6;
            if (sp.maxNewTokens() >= 0 && s.nGen >= sp.maxNewTokens()) return StopReason.MAX_TOKENS;
        }
        if (s.row < 0) return null;
        int off = s.row * vocab;
        for (int i = 0; i < vocab; i++) {
            if (!Float.isFinite(logits[off + i])) {
                throw new IllegalStateException("non-finite logits (" + logits[off + i] + " for token " + i
                        + ") at position " + (s.pos - 1) + " of sequence " + s.id + ": the model's weights or"
                        + " hyperparameters produce NaN/Inf; check the file's data with --check-tensors"
                        + " (LoadOptions.withValidateTensorData)");
            }
        }
        Tokenizer tok = model.tokenizer();
        GenerationListener out = s.req.listener;
        long ts = System.nanoTime();
        int id = s.sampler.sample(logits, off);
        s.sampler.accept(id);
        s.sampleMs += (System.nanoTime() - ts) / 1e6;
        if (s.nGen == s.generated.length) s.generated = Arrays.copyOf(s.generated, s.nGen * 2);
        s.generated[s.nGen++] = id;
        if (!sp.ignoreEos() && tok.isEndOfGeneration(id)) {
            out.onToken(id, s.text.finish(s.decoder.flush()));
            return StopReason.END_OF_GENERATION;
        }
        String released = s.text.append(s.decoder.accept(id));
        out.onToken(id, released);
        if (s.text.stopped()) return StopReason.STOP_STRING;
        if (s.req.stopRequested()) return StopReason.CANCELLED;
        if (sp.maxNewTokens() >= 0 && s.nGen >= sp.maxNewTokens()) return StopReason.MAX_TOKENS;
        if (s.pos >= seqContext) return StopReason.CONTEXT_FULL;
        s.pending = id;
        return null;
    }

    private void finish(Seq s, StopReason reason, KvCache cache, boolean[] used) {
        cache.seqRemove(s.id, -1, -1);
        used[s.id] = false;
        try {
            if (reason != StopReason.END_OF_GENERATION && reason != StopReason.STOP_STRING) {
                String rest = s.text.finish(s.decoder.flush());
                if (!rest.isEmpty()) s.req.listener.onToken(-1, rest);
            }
        } catch (RuntimeException | Error e) {
            fail(s.req, e);
            return;
        }
        Timings t = new Timings(model.loadMillis(), s.prefilled, s.promptMs, s.nEval, s.evalMs, s.nGen, s.sampleMs);
        s.req.future.complete(new GenerationResult(s.req.promptIds.clone(), Arrays.copyOf(s.generated, s.nGen),
                s.text.text(), reason, t));
    }

    private static void fail(Request r, Throwable t) {
        r.future.completeExceptionally(t);
    }

    private static IllegalStateException closedError() {
        return new IllegalStateException("batch engine is closed");
    }
}
