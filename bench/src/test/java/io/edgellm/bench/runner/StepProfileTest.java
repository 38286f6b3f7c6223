package io.edgellm.bench.runner;

import static org.junit.jupiter.api.Assertions.*;

import io.edgellm.bench.support.SharedData;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code edgellm bench --profile} on the real engine with the smallest shared model. */
class StepProfileTest {

    @Test
    void profilesOnePrefillChunkAndOneDecodeStepPerOperation() {
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute("-m", model.toString(), "-p", "8", "-n", "4", "-t", "1", "--profile");
        assertEquals(0, rc, "stderr: " + err);
        String md = out.toString();
        assertTrue(md.contains("one prefill chunk of 8 tokens"), md);
        assertTrue(md.contains("one decode step (mean of 4 steps)"), md);
        assertTrue(md.contains("| matmul Q8_0 |"), md);
        assertTrue(md.contains("| tile |"), md);           // 8 rows take the tile path
        assertTrue(md.contains("| fused |"), md);
        assertTrue(md.contains("rest of the forward pass"), md);
        assertTrue(md.contains("sampling"), md);
        assertFalse(io.edgellm.quant.kernel.KernelProfile.enabled(), "profiling is switched off afterwards");
    }
}
