package io.edgellm;

import io.edgellm.engine.GgufVocabulary;
import io.edgellm.engine.LoadedModel;
import io.edgellm.engine.Transformer;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import io.edgellm.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import io.edgellm.quant.ggml.TensorDataCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A language model loaded from a GGUF file: its {@link ModelConfig}, {@link Tokenizer} and weights (memory-mapped,
 * zero-copy). Create inference {@link Session}s with {@link #newSession(SessionOptions)}.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("model.gguf"));
 *      Session session = model.newSession(SessionOptions.defaults())) {
 *     GenerationResult r = session.generate("Once upon a time", SamplingParams.greedy().withMaxNewTokens(64),
 *             (id, text) -> System.out.print(text));
 * }
 * }</pre>
 *
 * <p>Thread-safety: a loaded Model is immutable and may be shared by any number of threads and sessions; each
 * {@link Session} is single-threaded. Closing the model unmaps the file: sessions must be closed first.
 */
public final class Model implements AutoCloseable {
    private final Path path;
    private final GgufFile file;
    private final LoadedModel loaded;
    private final Tokenizer tokenizer;
    private final double loadMs;
    private double checkMs = -1;

    private Model(Path path, GgufFile file, LoadedModel loaded, Tokenizer tokenizer, double loadMs) {
        this.path = path;
        this.file = file;
        this.loaded = loaded;
        this.tokenizer = tokenizer;
        this.loadMs = loadMs;
    }

    /**
     * {@link #load(Path, LoadOptions)} with {@link LoadOptions#defaults()}.
     *
     * @param path a GGUF model file
     * @return the loaded model
     * @throws IOException as {@link #load(Path, LoadOptions)}
     */
    public static Model load(Path path) throws IOException {
        return load(path, LoadOptions.defaults());
    }

    /**
     * Maps and checks a GGUF model: container structure, {@code general.architecture} and its hyperparameters, every
     * tensor's presence, type and shape, and the tokenizer.
     *
     * @param path    a GGUF model file
     * @param options load settings
     * @return the loaded model; close it to unmap the file
     * @throws NoSuchFileException                    when the file does not exist
     * @throws io.edgellm.quant.gguf.GgufFormatException when the file is not well-formed GGUF (names file, offset, defect)
     * @throws ModelFormatException                   when a key or tensor is missing or inconsistent (names file and key/tensor)
     * @throws IOException                            when the file cannot be read
     */
    public static Model load(Path path, LoadOptions options) throws IOException {
        long t0 = System.nanoTime();
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "model file not found");
        }
        if (Files.isDirectory(path)) {
            throw new ModelFormatException(path, "is a directory, not a GGUF file");
        }
        GgufFile file = GgufFile.open(path);
        try {
            LoadedModel loaded = LoadedModel.of(file);
            Tokenizer tokenizer;
            try {
                tokenizer = Tokenizer.create(GgufVocabulary.read(file));
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(path, "cannot build the tokenizer: " + e.getMessage(), e);
            }
            if (tokenizer.vocabSize() != loaded.config().vocabSize()) {
                throw new ModelFormatException(path, "tokenizer has " + tokenizer.vocabSize() + " tokens but the model "
                        + loaded.config().vocabSize());
            }
            double checkMs = options.validateTensorData() ? validateData(file) : -1;
            Model m = new Model(path, file, loaded, tokenizer, (System.nanoTime() - t0) / 1e6);
            m.checkMs = checkMs;
            return m;
        } catch (IOException | RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    /** Units (elements or blocks) per parallel work item of the tensor check. */
    private static final long CHECK_CHUNK = 1 << 16;

    /**
     * llama.cpp's {@code --check-tensors}: every tensor's data, the block scales of quantized types included
     * ({@link TensorDataCheck}), in parallel chunks on the common fork-join pool. Reports the first bad value in file
     * order.
     *
     * @return milliseconds taken
     */
    private static double validateData(GgufFile file) throws ModelFormatException {
        long t0 = System.nanoTime();
        record Chunk(GgufTensorInfo tensor, MemorySegment data, long from, long to) {
        }
        List<Chunk> chunks = new ArrayList<>();
        for (GgufTensorInfo t : file.tensors()) {
            long units = TensorDataCheck.units(t.type(), t.elementCount());
            if (units == 0) continue;
            MemorySegment data = file.tensorData(t);
            for (long from = 0; from < units; from += CHECK_CHUNK) {
                chunks.add(new Chunk(t, data, from, Math.min(units, from + CHECK_CHUNK)));
            }
        }
        Optional<String> bad = chunks.parallelStream()
                .map(c -> {
                    String d = TensorDataCheck.check(c.tensor().type(), c.data(), c.from(), c.to());
                    return d == null ? null : "tensor '" + c.tensor().name() + "' (" + c.tensor().type() + ") has a "
                            + "non-finite value: " + d;
                })
                .filter(java.util.Objects::nonNull)
                .findFirst();
        if (bad.isPresent()) {
            throw new ModelFormatException(file.path(), bad.get());
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    /**
     * Returns the wall time of the tensor data check ({@link LoadOptions#validateTensorData()}), milliseconds, or -1
     * when it did not run.
     *
     * @return milliseconds, or -1
     */
    public double tensorCheckMillis() {
        return checkMs;
    }

    /**
     * Returns the model's hyperparameters.
     *
     * @return the model's hyperparameters
     */
    public ModelConfig config() {
        return loaded.config();
    }

    /**
     * Returns the tokenizer built from {@code tokenizer.ggml.*} (thread-safe).
     *
     * @return the tokenizer built from {@code tokenizer.ggml.*} (thread-safe)
     */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Returns the GGUF file this model was loaded from.
     *
     * @return the GGUF file this model was loaded from
     */
    public Path path() {
        return path;
    }

    /**
     * Returns the wall time {@link #load} took, milliseconds ({@code t_load_ms}).
     *
     * @return the wall time {@link #load} took, milliseconds ({@code t_load_ms})
     */
    public double loadMillis() {
        return loadMs;
    }

    /**
     * Returns the underlying mapped GGUF file (metadata, tensor table).
     *
     * @return the underlying mapped GGUF file (metadata, tensor table)
     */
    public GgufFile gguf() {
        return file;
    }

    Transformer transformer() {
        return loaded.transformer();
    }

    /**
     * Returns a new session with {@link SessionOptions#defaults()}.
     *
     * @return a new session with {@link SessionOptions#defaults()}
     */
    public Session newSession() {
        return newSession(SessionOptions.defaults());
    }

    /**
     * A new inference session with its own KV cache and thread pool.
     *
     * @param options context size, batch size, threads, KV cache type, activation precision
     * @return the session; close it to stop its threads
     * @throws IllegalArgumentException when the KV cache for the requested context cannot be represented
     */
    public Session newSession(SessionOptions options) {
        return new Session(this, options);
    }

    /** Unmaps the file. Sessions of this model must not be used afterwards. */
    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        ModelConfig c = config();
        return "Model[" + path.getFileName() + ", " + c.architecture() + ", " + c.blockCount() + " layers, n_embd "
                + c.embeddingLength() + ", vocab " + c.vocabSize() + "]";
    }
}
