package io.edgellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code edgellm serve}: registered, llama-server's flags, one-line errors (the server itself: edgellm-server tests). */
class ServeCommandTest {

    static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = EdgeLlmCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void helpListsTheFlags() {
        String[] r = run("serve", "--help");
        assertEquals("0", r[0]);
        for (String flag : new String[] {"--host", "--port", "-np", "-c", "-t", "--chat-template", "--chat-template-kwargs"}) {
            assertTrue(r[1].contains(flag), flag + " in\n" + r[1]);
        }
        assertTrue(run("--help")[1].contains("serve"));
    }

    @Test
    void badInputIsOneLine() {
        String[] r = run("serve", "-m", "/nonexistent/model.gguf", "--port", "0");
        assertEquals("1", r[0]);
        assertEquals("edgellm: file not found: /nonexistent/model.gguf", r[2].strip());
        r = run("serve", "-m", "/nonexistent/model.gguf", "--chat-template-kwargs", "[1");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("edgellm: --chat-template-kwargs must be a JSON object"), r[2]);
    }
}
