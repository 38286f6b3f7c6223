package io.edgellm;

import io.edgellm.engine.Sampler;
import io.edgellm.engine.Transformer;
import io.edgellm.tokenizer.StreamingDecoder;
import io.edgellm.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * One conversation with a {@link Model}: a KV cache of {@link #contextLength()} positions, a thread pool and
 * scratch buffers. Tokens are appended at {@link #position()}; {@link #reset()} empties the cache.
 *
 * <p>Prompts are evaluated in batches of {@link SessionOptions#batchSize()} tokens (prefill, one weight pass per batch),
 * generated tokens one at a time (decode). When the context is full, generation stops with
 * {@link StopReason#CONTEXT_FULL}, or, with {@link SessionOptions#contextShift()}, shifts the context as llama.cpp's
 * {@code --context-shift} does ({@link #shiftContext}).
 *
 * <p>Thread-safety: single-threaded. Only {@link #cancel()} may be called from another thread.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final SessionOptions options;
    private final Transformer transformer;
    private final Transformer.State state;
    private final int vocab;
    private volatile int position;             // volatile: position() may be polled from another thread
    private volatile boolean cancelled;
    private boolean closed;
    /** The token at position 0 of the context, or -1 when the context is empty (n_keep counts BOS extra). */
    private int firstToken = -1;
    /** Context shifts done so far. */
    private int contextShifts;
    /** The network's RoPE at this session's n_ctx, for the K-shift; made at the first shift. */
    private io.edgellm.engine.Rope shiftRope;
    /** Stops the worker threads of a session that is dropped without {@link #close()}; holds the state, not this. */
    private final java.lang.ref.Cleaner.Cleanable cleanable;
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    Session(Model model, SessionOptions options) {
        this.model = model;
        this.options = options;
        this.transformer = model.transformer();
        int nCtx = options.contextLength() > 0 ? options.contextLength()
                : Math.min(model.config().contextLength(), SessionOptions.DEFAULT_MAX_CONTEXT);
        this.state = transformer.newState(nCtx, options.batchSize(), options.effectiveThreads(), options.kvCacheType(),
                options.activationPrecision(), options.accumulationOrder());
        this.vocab = model.config().vocabSize();
        this.cleanable = CLEANER.register(this, state::close);
    }

    /**
     * Returns the model this session runs.
     *
     * @return the model this session runs
     */
    public Model model() {
        return model;
    }

    /**
     * Returns the options this session was created with.
     *
     * @return the options this session was created with
     */
    public SessionOptions options() {
        return options;
    }

    /**
     * Returns the KV cache size (n_ctx), tokens.
     *
     * @return the KV cache size (n_ctx), tokens
     */
    public int contextLength() {
        return state.contextLength();
    }

    /**
     * Returns the number of tokens in the KV cache (the position the next token gets).
     *
     * @return the number of tokens in the KV cache (the position the next token gets)
     */
    public int position() {
        return position;
    }

    /**
     * Returns bytes held by the KV cache: {@code 2 · n_layer · n_ctx · n_kv_heads · head_size · element size}.
     *
     * @return bytes held by the KV cache: {@code 2 · n_layer · n_ctx · n_kv_heads · head_size · element size}
     */
    public long kvCacheBytes() {
        return state.cache().bytes(model.config().blockCount());
    }

    /** Empties the KV cache (position 0). */
    public void reset() {
        checkOpen();
        position = 0;
        firstToken = -1;
        state.cache().clear();
    }

    /**
     * Drops the tokens after {@code newPosition} from the KV cache (they will be overwritten), e.g. to reuse the
     * common prefix of a re-rendered chat conversation.
     *
     * @param newPosition the new {@link #position()}, in {@code [0, position()]}
     * @throws IllegalArgumentException when {@code newPosition} is outside {@code [0, position()]}
     */
    public void rewind(int newPosition) {
        checkOpen();
        if (newPosition < 0 || newPosition > position) {
            throw new IllegalArgumentException("cannot rewind to " + newPosition + ": position is " + position);
        }
        position = newPosition;
    }

    /**
     * Asks a running {@link #generate} to stop after the current token or prefill batch ({@link StopReason#CANCELLED}).
     * Called before {@code generate}, the next {@code generate} returns at once, cancelled, without evaluating.
     * Thread-safe.
     */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Appends {@code tokens} to the context and returns the logits after the last one.
     *
     * @param tokens token ids, each in {@code [0, n_vocab)}
     * @return {@code n_vocab} logits (a new array)
     * @throws IllegalArgumentException when the tokens do not fit in the remaining context or an id is out of range
     */
    public float[] evaluate(int[] tokens) {
        checkOpen();
        float[] out = new float[vocab];
        run(tokens, out, false);
        return out;
    }

    /**
     * Appends {@code tokens} and returns the logits at every position (teacher forcing).
     *
     * @param tokens token ids, each in {@code [0, n_vocab)}
     * @return {@code [tokens.length][n_vocab]}: row i = logits after token i
     * @throws IllegalArgumentException as {@link #evaluate}
     */
    public float[][] evaluateAll(int[] tokens) {
        checkOpen();
        float[] flat = new float[tokens.length * vocab];
        run(tokens, flat, true);
        float[][] rows = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) rows[i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
        return rows;
    }

    private void run(int[] tokens, float[] out, boolean all) {
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens to evaluate");
        if (position + tokens.length > contextLength()) {
            throw new IllegalArgumentException(tokens.length + " tokens do not fit in the context: position " + position
                    + " + " + tokens.length + " > n_ctx " + contextLength());
        }
        transformer.forward(state, tokens, 0, tokens.length, position, out, all);
        if (position == 0) firstToken = tokens[0];
        position += tokens.length;
    }

    /**
     * Tokenizes {@code prompt} (BOS added when the vocabulary asks for it and the session is at position 0; special
     * tokens in the text are parsed, like llama.cpp's {@code llama-completion}) and generates a continuation.
     *
     * @throws IllegalArgumentException when the prompt does not fit in the remaining context
     *
     * @param prompt   the text to continue
     * @param sampling how to pick tokens and when to stop
     * @param listener receives each token and its text as it is generated; may be null
     * @return ids, text, stop reason and timings
     * @throws IllegalStateException    when the session is closed
     */
    public GenerationResult generate(String prompt, SamplingParams sampling, GenerationListener listener) {
        checkOpen();
        int[] ids = model.tokenizer().encode(prompt, position == 0, true);
        return generate(ids, sampling, listener);
    }

    /**
     * Evaluates {@code promptIds} after the tokens already in the context (prefill), then samples up to
     * {@link SamplingParams#maxNewTokens()} tokens (decode), streaming each to {@code listener}.
     *
     * @param promptIds token ids to evaluate first (BOS is not added)
     * @param sampling  how to pick tokens and when to stop
     * @param listener  receives each token and its text as it is generated; may be null
     * @return ids, text, stop reason and timings
     * @throws IllegalArgumentException when the prompt is empty or does not fit in the remaining context
     * @throws IllegalStateException    when the session is closed, or a step's logits hold NaN or Inf (the message names
     *                                  the position and suggests {@code --check-tensors})
     */
    public GenerationResult generate(int[] promptIds, SamplingParams sampling, GenerationListener listener) {
        checkOpen();
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("empty prompt: nothing to condition on");
        }
        if (position + promptIds.length > contextLength()) {
            throw new IllegalArgumentException("prompt is too long: " + promptIds.length + " tokens"
                    + (position > 0 ? " after " + position + " cached" : "") + " but the context (n_ctx) holds "
                    + contextLength() + " (use a larger context, -c)");
        }
        GenerationListener out = listener != null ? listener : GenerationListener.NONE;
        try {
            return generateImpl(promptIds, sampling, out);
        } finally {
            cancelled = false;                 // a cancel applies to one generate call (the running or the next one)
        }
    }

    private GenerationResult generateImpl(int[] promptIds, SamplingParams sampling, GenerationListener out) {
        for (int i = 0; i < promptIds.length; i++) {     // all ids checked before the first batch is evaluated
            if (promptIds[i] < 0 || promptIds[i] >= vocab) {
                throw new IllegalArgumentException("token id " + promptIds[i] + " at index " + i
                        + " is out of range [0, " + vocab + ")");
            }
        }
        Tokenizer tok = model.tokenizer();
        Sampler sampler = new Sampler(sampling, vocab, tok.endOfGenerationIds(), contextLength());
        for (int id : promptIds) sampler.accept(id);
        StopText text = new StopText(sampling.stopStrings());
        StreamingDecoder decoder = tok.streamingDecoder();

        int promptEnd = position + promptIds.length;
        long t0 = System.nanoTime();
        float[] logits = new float[vocab];   // reused by every decode step
        int[] one = new int[1];
        int nBatch = Math.max(1, options.batchSize());
        for (int c = 0; c < promptIds.length; c += nBatch) {    // prefill by batches; a cancel is seen between them
            if (cancelled) {
                Timings timings = new Timings(model.loadMillis(), c, (System.nanoTime() - t0) / 1e6, 0, 0, 0, 0);
                return new GenerationResult(promptIds.clone(), new int[0], "", StopReason.CANCELLED, timings);
            }
            int m = Math.min(nBatch, promptIds.length - c);
            boolean last = c + m == promptIds.length;
            transformer.forward(state, promptIds, c, m, position, last ? logits : null, false);
            if (position == 0) firstToken = promptIds[c];
            position += m;
        }
        checkFinite(logits, "after the prompt");
        double promptMs = (System.nanoTime() - t0) / 1e6;

        int[] generated = new int[16];
        int nGen = 0, nEval = 0;
        double evalMs = 0, sampleMs = 0;
        StopReason reason;
        while (true) {
            if (sampling.maxNewTokens() >= 0 && nGen >= sampling.maxNewTokens()) {
                reason = StopReason.MAX_TOKENS;
                break;
            }
            long ts = System.nanoTime();
            int id = sampler.sample(logits, 0);
            sampler.accept(id);
            sampleMs += (System.nanoTime() - ts) / 1e6;
            if (nGen == generated.length) generated = Arrays.copyOf(generated, nGen * 2);
            generated[nGen++] = id;
            if (!sampling.ignoreEos() && tok.isEndOfGeneration(id)) {
                out.onToken(id, text.finish(decoder.flush()));
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            String released = text.append(decoder.accept(id));
            if (text.stopped()) {
                out.onToken(id, released);
                reason = StopReason.STOP_STRING;
                break;
            }
            out.onToken(id, released);
            if (cancelled) {
                reason = StopReason.CANCELLED;
                break;
            }
            if (sampling.maxNewTokens() >= 0 && nGen >= sampling.maxNewTokens()) {
                reason = StopReason.MAX_TOKENS; // the last token is not fed back (llama.cpp counts n_eval the same way)
                break;
            }
            if (position >= contextLength() && (!options.contextShift() || shiftContext(keepCount(promptEnd)) == 0)) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            long te = System.nanoTime();
            one[0] = id;
            run(one, logits, false);
            checkFinite(logits, "after generated token " + nGen);
            evalMs += (System.nanoTime() - te) / 1e6;
            nEval++;
        }
        if (reason != StopReason.END_OF_GENERATION && reason != StopReason.STOP_STRING) {
            String rest = text.finish(decoder.flush());
            if (!rest.isEmpty()) out.onToken(-1, rest);
        }
        Timings timings = new Timings(model.loadMillis(), promptIds.length, promptMs, nEval, evalMs, nGen, sampleMs);
        return new GenerationResult(promptIds.clone(), Arrays.copyOf(generated, nGen), text.text(), reason, timings);
    }

    /**
     * Resolves {@link SessionOptions#nKeep()} as llama.cpp's {@code tools/main} does: -1 or more than the prompt = the
     * whole prompt; otherwise N plus the BOS token when the context starts with it.
     */
    private int keepCount(int promptEnd) {
        int n = options.nKeep();
        if (n < 0 || n > promptEnd) return promptEnd;
        Tokenizer tok = model.tokenizer();
        if (firstToken >= 0 && firstToken == tok.bosId()) n++;
        return Math.min(n, promptEnd);
    }

    /**
     * llama.cpp's context shift on sequence 0 ({@code tools/main}'s "infinite text generation via context shifting"):
     * with {@code n_left = position - nKeep} and {@code n_discard = n_left / 2}, the tokens at positions
     * {@code [nKeep, nKeep + n_discard)} are removed ({@code llama_memory_seq_rm}), those at
     * {@code [nKeep + n_discard, position)} move back by {@code n_discard} ({@code llama_memory_seq_add}) and their
     * cached keys are re-rotated for their new positions in every layer ({@link io.edgellm.engine.KvCache#applyKShift},
     * llama.cpp's K-shift); {@link #position()} drops by {@code n_discard}. The first {@code nKeep} cells are untouched.
     * Called by {@link #generate} when the context is full and {@link SessionOptions#contextShift()} is set.
     *
     * @param nKeep tokens kept at the start, {@code 0 <= nKeep <= position()}
     * @return {@code n_discard}, the positions freed (0 when nothing can be dropped: {@code position - nKeep < 2})
     * @throws IllegalArgumentException when {@code nKeep} is outside {@code [0, position()]}
     */
    public int shiftContext(int nKeep) {
        checkOpen();
        int nPast = position;
        if (nKeep < 0 || nKeep > nPast) {
            throw new IllegalArgumentException("n_keep " + nKeep + " is outside [0, position " + nPast + "]");
        }
        int nDiscard = (nPast - nKeep) / 2;
        if (nDiscard == 0) return 0;
        io.edgellm.engine.KvCache cache = state.cache();
        cache.seqRemove(0, nKeep, nKeep + nDiscard);
        cache.seqAdd(0, nKeep + nDiscard, nPast, -nDiscard);
        if (shiftRope == null) shiftRope = transformer.network().rope(contextLength());
        cache.applyKShift(shiftRope, model.config().keyLength());
        position = nPast - nDiscard;
        if (nKeep == 0) firstToken = -1;      // the old first token is gone; the moved one is not known here
        contextShifts++;
        return nDiscard;
    }

    /**
     * Returns how many context shifts this session has done ({@link #shiftContext}).
     *
     * @return the number of shifts
     */
    public int contextShifts() {
        return contextShifts;
    }

    /**
     * N samples of one prompt decoded together (EdgeReasoning's parallel test-time scaling; llama.cpp's
     * {@code llama-parallel} with a shared prompt): the prompt is prefilled once as sequence 0 and its KV cells are shared
     * with sequences 1..n-1 ({@code seq_cp}); then every decode step evaluates one token of each unfinished sequence in
     * one batch, so each weight is read once per step for all of them. Sequence i samples with seed {@code seed + i}.
     * The session's cache is emptied before and after (position 0).
     *
     * @param promptIds token ids of the prompt (BOS is not added)
     * @param n         number of samples, 1 .. {@link io.edgellm.engine.KvCache#MAX_SEQUENCES}
     * @param sampling  sampling and stopping (each sequence stops on its own)
     * @param listener  receives each sequence's tokens as they are generated; may be null
     * @return one result per sequence, in order; each has the shared prompt timings and the shared decode time
     * @throws IllegalArgumentException when n is out of range or the prompt does not fit in the context
     */
    public List<GenerationResult> generateParallel(int[] promptIds, int n, SamplingParams sampling, SequenceListener listener) {
        checkOpen();
        if (n < 1 || n > io.edgellm.engine.KvCache.MAX_SEQUENCES) {
            throw new IllegalArgumentException("parallel sequences must be 1 .. " + io.edgellm.engine.KvCache.MAX_SEQUENCES + ", got " + n);
        }
        if (promptIds.length == 0) throw new IllegalArgumentException("empty prompt: nothing to condition on");
        if (promptIds.length + n > contextLength()) {
            throw new IllegalArgumentException("prompt is too long: " + promptIds.length + " tokens plus one per sequence ("
                    + n + ") do not fit in the context (n_ctx) of " + contextLength() + " (use a larger context, -c)");
        }
        SequenceListener out = listener != null ? listener : SequenceListener.NONE;
        cancelled = false;
        reset();
        Tokenizer tok = model.tokenizer();
        Sampler[] samplers = new Sampler[n];
        StopText[] texts = new StopText[n];
        StreamingDecoder[] decoders = new StreamingDecoder[n];
        int[][] generated = new int[n][16];
        int[] nGen = new int[n];
        StopReason[] reasons = new StopReason[n];
        for (int i = 0; i < n; i++) {
            samplers[i] = new Sampler(sampling.withSeed(sampling.seed() + i), vocab, tok.endOfGenerationIds(), contextLength());
            for (int id : promptIds) samplers[i].accept(id);
            texts[i] = new StopText(sampling.stopStrings());
            decoders[i] = tok.streamingDecoder();
        }
        long t0 = System.nanoTime();
        float[] logits = new float[n * vocab];
        float[] first = new float[vocab];
        run(promptIds, first, false);
        checkFinite(first, "after the prompt");
        for (int i = 0; i < n; i++) System.arraycopy(first, 0, logits, i * vocab, vocab);
        io.edgellm.engine.KvCache cache = state.cache();
        for (int i = 1; i < n; i++) cache.seqCopy(0, i, -1, -1);
        double promptMs = (System.nanoTime() - t0) / 1e6;
        io.edgellm.engine.Batch batch = new io.edgellm.engine.Batch(n);
        int[] row = new int[n];          // row of sequence i in the logits of the last step
        for (int i = 0; i < n; i++) row[i] = i;
        int nEval = 0;
        double evalMs = 0, sampleMs = 0;
        int pos = promptIds.length;
        while (true) {
            batch.clear();
            long ts = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (reasons[i] != null) continue;
                if (sampling.maxNewTokens() >= 0 && nGen[i] >= sampling.maxNewTokens()) {
                    reasons[i] = StopReason.MAX_TOKENS;
                    continue;
                }
                int id = samplers[i].sample(logits, row[i] * vocab);
                samplers[i].accept(id);
                if (nGen[i] == generated[i].length) generated[i] = Arrays.copyOf(generated[i], nGen[i] * 2);
                generated[i][nGen[i]++] = id;
                if (!sampling.ignoreEos() && tok.isEndOfGeneration(id)) {
                    out.onToken(i, id, texts[i].finish(decoders[i].flush()));
                    reasons[i] = StopReason.END_OF_GENERATION;
                    continue;
                }
                String released = texts[i].append(decoders[i].accept(id));
                out.onToken(i, id, released);
                if (texts[i].stopped()) {
                    reasons[i] = StopReason.STOP_STRING;
                } else if (cancelled) {
                    reasons[i] = StopReason.CANCELLED;
                } else if (sampling.maxNewTokens() >= 0 && nGen[i] >= sampling.maxNewTokens()) {
                    reasons[i] = StopReason.MAX_TOKENS;
                } else if (cache.freeCells() <= batch.size() || pos >= contextLength()) {
                    reasons[i] = StopReason.CONTEXT_FULL;
                } else {
                    row[i] = batch.size();
                    batch.add(id, pos, i, true);
                }
            }
            sampleMs += (System.nanoTime() - ts) / 1e6;
            if (batch.size() == 0) break;
            long te = System.nanoTime();
            transformer.forward(state, batch, logits);
            checkFinite(logits, batch.size() * vocab, "after generated token " + (pos - promptIds.length + 1));
            evalMs += (System.nanoTime() - te) / 1e6;
            nEval += batch.size();
            pos++;
        }
        List<GenerationResult> results = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (reasons[i] != StopReason.END_OF_GENERATION && reasons[i] != StopReason.STOP_STRING) {
                String rest = texts[i].finish(decoders[i].flush());
                if (!rest.isEmpty()) out.onToken(i, -1, rest);
            }
            Timings t = new Timings(model.loadMillis(), promptIds.length, promptMs, nEval, evalMs, nGen[i], sampleMs);
            results.add(new GenerationResult(promptIds.clone(), Arrays.copyOf(generated[i], nGen[i]), texts[i].text(),
                    reasons[i], t));
        }
        reset();
        return results;
    }

    /**
     * Stops generation on a logits row with NaN or Inf: sampling from it would pass garbage (ids 0, empty text) off as
     * output. One pass over {@code n_vocab} floats per step, small next to the forward pass.
     */
    private void checkFinite(float[] logits, String step) {
        checkFinite(logits, vocab, step);
    }

    /** {@link #checkFinite(float[], String)} over the first {@code n} floats (several rows of logits). */
    private void checkFinite(float[] logits, int n, String step) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(logits[i])) {
                throw new IllegalStateException("non-finite logits (" + logits[i] + " for token " + i + ") at position "
                        + (position - 1) + ", " + step + ": the model's weights or hyperparameters produce NaN/Inf;"
                        + " check the file's data with --check-tensors (LoadOptions.withValidateTensorData)");
            }
        }
    }

    /** Weight passes (MatMul calls) done by this session so far; each reads every block of one weight matrix once. */
    long weightPasses() {
        return state.weightPasses();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("session is closed");
    }

    /** Stops the session's worker threads. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cleanable.clean();
        }
    }
}
