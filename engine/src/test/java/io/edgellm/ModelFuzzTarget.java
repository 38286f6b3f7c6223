package io.edgellm;

import io.edgellm.quant.gguf.GgufFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The fuzz target shared by {@link ModelFuzzTest} (Jazzer) and {@link ModelFuzzSeedsTest} (the default suite): a byte
 * string is written to one reused file, {@link Model#load loaded}, and when it loads, a session with n_ctx 16 and one
 * thread evaluates one token (BOS, or 0 when the model has none in range).
 *
 * <p>Expected outcomes are the documented ones: a {@link GgufFormatException} from the reader, a
 * {@link ModelFormatException} from the model checks, an {@link IllegalArgumentException} from the session (a KV cache
 * that cannot be represented). Logits may be NaN for a mutated weight: {@code evaluate} returns them as they are (it is
 * {@code generate} that stops on them), so they are not a finding here. Everything else escapes, and is a finding.
 */
final class ModelFuzzTarget {
    /** What the input did. */
    enum Outcome { REJECTED_BY_READER, REJECTED_BY_MODEL, REJECTED_BY_SESSION, EVALUATED }

    /** KV cache size of the session, tokens. */
    static final int N_CTX = 16;

    private static Path scratch;

    private ModelFuzzTarget() {
    }

    /**
     * Writes {@code data} to the scratch file (in /dev/shm when present) and runs {@link #run(Path)} on it.
     *
     * @param data any bytes
     * @return the outcome
     * @throws IOException when the scratch file cannot be written or an unexpected IOException escapes
     */
    static Outcome run(byte[] data) throws IOException {
        if (scratch == null) {
            Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
            scratch = Files.createTempFile(dir, "edgellm-fuzz-", ".gguf");
            scratch.toFile().deleteOnExit();
        }
        Files.write(scratch, data, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        return run(scratch);
    }

    /**
     * Loads {@code file} and evaluates one token.
     *
     * @param file a GGUF file
     * @return the outcome
     * @throws IOException an IOException other than the two format exceptions (a finding)
     */
    static Outcome run(Path file) throws IOException {
        Model model;
        try {
            model = Model.load(file);
        } catch (GgufFormatException e) {
            return Outcome.REJECTED_BY_READER;
        } catch (ModelFormatException e) {
            return Outcome.REJECTED_BY_MODEL;
        }
        try (model) {
            model.toString();
            Session session;
            try {
                session = model.newSession(SessionOptions.defaults().withContextLength(N_CTX).withBatchSize(N_CTX).withThreads(1));
            } catch (IllegalArgumentException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) throw e;
                return Outcome.REJECTED_BY_SESSION;
            }
            try (session) {
                int vocab = model.config().vocabSize();
                int bos = model.tokenizer().bosId();
                int token = bos >= 0 && bos < vocab ? bos : 0;
                float[] logits = session.evaluate(new int[] {token});
                if (logits.length != vocab) {
                    throw new AssertionError(logits.length + " logits for a vocabulary of " + vocab);
                }
                model.tokenizer().decode(new int[] {argmax(logits)});
            }
        }
        return Outcome.EVALUATED;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
