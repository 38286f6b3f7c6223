package io.edgellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 14: hostile and unlucky inputs through the command line give one line on stderr and a non-zero exit. */
class HostileInputCliTest {

    static EdgeLlmCliTest.Run run(String... args) {
        return EdgeLlmCliTest.run(args);
    }

    static void assertOneLineError(EdgeLlmCliTest.Run r) {
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("edgellm: "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    /** Errors (not Exceptions) thrown inside a command reach the one-line handler too. */
    @ParameterizedTest
    @ValueSource(strings = {"oom", "oom-kv", "fault", "stack", "worker"})
    void errorsAreOneLine(String kind) {
        EdgeLlmCliTest.Run r = run("test-throw", kind);
        assertOneLineError(r);
        switch (kind) {
            case "oom" -> assertTrue(r.err().contains("out of memory") && r.err().contains("EDGELLM_JAVA_OPTS=-Xmx")
                    && r.err().contains("-c"), r.err());
            case "oom-kv" -> assertTrue(r.err().contains("allocating the KV cache of n_ctx 20000000"), r.err());
            case "fault", "worker" -> assertTrue(r.err().contains("model file changed or was truncated while in use"), r.err());
            default -> assertTrue(r.err().contains("StackOverflowError"), r.err());
        }
    }

    /** A context far larger than the heap fails at once, before allocating, naming the KV cache and the remedies. */
    @Test
    void hugeContextFailsUpFront() {
        EdgeLlmCliTest.Run r = run("generate", "-m", SharedData.path("models/stories260K.gguf").toString(), "-p", "hi",
                "-n", "1", "-c", "20000000");
        assertOneLineError(r);
        assertTrue(r.err().contains("KV cache of n_ctx 20000000") && r.err().contains("does not fit in the Java heap")
                && r.err().contains("EDGELLM_JAVA_OPTS=-Xmx"), r.err());
        assertEquals("", r.out(), "nothing echoed before the error");
    }
}
