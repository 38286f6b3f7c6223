package io.edgellm.bench.synth;

import static org.junit.jupiter.api.Assertions.*;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.gguf.GgufFile;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SynthCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesThePresetInTheRequestedType() throws Exception {
        Path out = dir.resolve("t.gguf");
        int rc = new CommandLine(new SynthCommand()).execute("--preset", "tiny", "--type", "q5_1", "-o", out.toString(),
                "--seed", "9");
        assertEquals(0, rc);
        try (GgufFile g = GgufFile.open(out)) {
            assertEquals(GgmlType.Q5_1, g.tensor("blk.0.ffn_down.weight").type());
            assertEquals(9L, g.getLong("edgellm.synth.seed"));
            assertEquals(9, g.getInt("general.file_type"));   // LLAMA_FTYPE_MOSTLY_Q5_1
        }
    }

    @Test
    void badArgumentsFailWithAMessageAndNoFile() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new SynthCommand());
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("--preset", "llama-9b", "--type", "Q4_0", "-o", dir.resolve("x.gguf").toString());
        assertNotEquals(0, rc);
        assertTrue(err.toString().contains("unknown preset"), err.toString());
        assertFalse(Files.exists(dir.resolve("x.gguf")));
    }
}
