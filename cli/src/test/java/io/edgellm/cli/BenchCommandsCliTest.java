package io.edgellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench module's commands ({@code bench}, {@code synth}) run through the {@code edgellm} command line. */
class BenchCommandsCliTest {
    @TempDir
    Path dir;

    @Test
    void benchAndSynthRunThroughTheCli() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(), err = new java.io.ByteArrayOutputStream();
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        int rc = io.edgellm.cli.EdgeLlmCli.run(new java.io.PrintStream(out, true), new java.io.PrintStream(err, true),
                "bench", "-m", model.toString(), "-p", "8", "-n", "2", "-r", "1", "-t", "1", "--power", "none",
                "--no-warmup", "-o", "csv");
        assertEquals(0, rc, err.toString());
        String csv = out.toString();
        assertTrue(csv.startsWith("model,model_filename,"), csv);
        assertEquals(3, csv.strip().split("\n").length);
        Path synth = dir.resolve("s.gguf");
        rc = io.edgellm.cli.EdgeLlmCli.run(new java.io.PrintStream(out, true), new java.io.PrintStream(err, true),
                "synth", "--preset", "tiny", "--type", "Q8_0", "-o", synth.toString());
        assertEquals(0, rc, err.toString());
        assertTrue(Files.size(synth) > 10_000);
        rc = io.edgellm.cli.EdgeLlmCli.run(new java.io.PrintStream(out, true), new java.io.PrintStream(err, true),
                "bench", "-m", dir.resolve("missing.gguf").toString());
        assertEquals(1, rc);
        assertTrue(err.toString().contains("missing.gguf"), err.toString());
    }}
