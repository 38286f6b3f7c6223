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

    /** A copy of a ../shared model through GgufWriter with an f16 NaN at one byte offset of one tensor's data. */
    static java.nio.file.Path withNaN(java.nio.file.Path model, String tensor, long byteOffset, java.nio.file.Path out)
            throws Exception {
        try (io.edgellm.quant.gguf.GgufFile f = io.edgellm.quant.gguf.GgufFile.open(model);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            io.edgellm.quant.gguf.GgufWriter w = new io.edgellm.quant.gguf.GgufWriter().copyMetadataFrom(f);
            for (io.edgellm.quant.gguf.GgufTensorInfo t : f.tensors()) {
                java.lang.foreign.MemorySegment data = f.tensorData(t);
                if (t.name().equals(tensor)) {
                    java.lang.foreign.MemorySegment copy = arena.allocate(data.byteSize());
                    copy.copyFrom(data);
                    copy.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
                            byteOffset, (short) 0x7E00);
                    data = copy;
                }
                w.addTensor(t.name(), t.type(), t.dims(), data);
            }
            w.write(out);
        }
        return out;
    }

    /** Item 4: a NaN block scale stops generate with a clear line; --check-tensors finds it at load and times itself. */
    @Test
    void nanScaleIsReportedNotPassedOffAsText(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path good = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        java.nio.file.Path bad = withNaN(good, "blk.0.attn_q.weight", 34, tmp.resolve("nan.gguf"));
        EdgeLlmCliTest.Run r = run("generate", "-m", bad.toString(), "-p", "Once upon a time", "-n", "4", "--temp", "0",
                "-t", "1");
        assertOneLineError(r);
        assertTrue(r.err().contains("non-finite logits") && r.err().contains("--check-tensors"), r.err());
        r = run("generate", "-m", bad.toString(), "-p", "Once upon a time", "-n", "4", "-t", "1", "--check-tensors");
        assertOneLineError(r);
        assertTrue(r.err().contains("tensor 'blk.0.attn_q.weight' (Q8_0) has a non-finite value: block 1"), r.err());
        r = run("generate", "-m", good.toString(), "-p", "Once upon a time", "-n", "2", "-t", "1", "--check-tensors");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().matches("(?s).*edgellm: check-tensors: \\d+ tensors, no NaN/Inf, [0-9.]+ ms.*"), r.err());
    }

    /** Item 5: a crafted tensor name, metadata key or value reaches the terminal escaped, in inspect and in errors. */
    @Test
    void controlBytesFromTheFileAreEscaped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        String evil = "\u001b]0;pwned\u0007\u001b[2J\u001b[31m";
        java.nio.file.Path p = tmp.resolve("evil.gguf");
        try (io.edgellm.quant.gguf.GgufFile f = io.edgellm.quant.gguf.GgufFile.open(SharedData.path("models/stories260K.gguf"))) {
            new io.edgellm.quant.gguf.GgufWriter().copyMetadataFrom(f).copyTensorsFrom(f)
                    .putString("general.name" + evil, "value" + evil)
                    .putString("general.architecture", "llama" + evil)
                    .addTensor("name" + evil, io.edgellm.quant.GgmlType.F32, new long[] {4},
                            java.lang.foreign.Arena.ofAuto().allocate(16))
                    .write(p);
        }
        EdgeLlmCliTest.Run r = run("inspect", p.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().chars().anyMatch(c -> c < 0x20 && c != '\n'), "no control byte in: " + r.out());
        assertTrue(r.out().contains("name\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31m"), r.out());
        assertTrue(r.out().contains("general.name\\x1b]0;pwned") && r.out().contains("'value\\x1b]0;pwned"), r.out());
        r = run("generate", "-m", p.toString(), "-p", "hi", "-n", "1");
        assertOneLineError(r);
        assertFalse(r.err().chars().anyMatch(c -> c < 0x20 && c != '\n'), "no control byte in: " + r.err());
        assertTrue(r.err().contains("llama\\x1b]0;pwned"), r.err());
    }

    /** Item 6: the cryptic one-liners a new user met become clear ones. */
    @Test
    void unluckyInputsGiveClearLines(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        String model = SharedData.path("models/stories260K.gguf").toString();
        java.nio.file.Path bin = tmp.resolve("prompt.txt");
        java.nio.file.Files.write(bin, new byte[] {'O', 'n', 'c', 'e', ' ', (byte) 0xff, (byte) 0xfe, ' ', 'u', 'p'});
        EdgeLlmCliTest.Run r = run("generate", "-m", model, "-f", bin.toString(), "-n", "1");
        assertOneLineError(r);
        assertTrue(r.err().contains("prompt.txt: not valid UTF-8 text: invalid byte(s) ff at byte offset 5"), r.err());
        r = run("tokenize", "-m", model, "-f", bin.toString());
        assertOneLineError(r);
        assertTrue(r.err().contains("at byte offset 5"), r.err());

        for (String[] args : new String[][] {{"inspect", tmp.toString()}, {"tokenize", "-m", tmp.toString(), "-p", "hi"},
                {"generate", "-m", tmp.toString(), "-p", "hi"}}) {
            r = run(args);
            assertOneLineError(r);
            assertTrue(r.err().contains("is a directory"), r.err());
        }

        r = run("generate", "-m", model, "-p", "Once upon a time ".repeat(40), "-c", "32", "-n", "1");
        assertOneLineError(r);
        assertTrue(r.err().contains("prompt is too long") && r.err().contains("n_ctx) holds 32"), r.err());
        assertEquals("", r.out(), "the prompt is not echoed before the error");

        r = run("generate", "-m", model, "-p", "Once", "-c", "4096", "-n", "1", "--temp", "0");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.contains("warning: n_ctx 4096 (-c) is beyond the model's trained context")).count(), r.err());
    }
}
