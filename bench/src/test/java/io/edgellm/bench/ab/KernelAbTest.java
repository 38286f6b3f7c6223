package io.edgellm.bench.ab;

import io.edgellm.quant.kernel.MatMul;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KernelAb} loads the same kernels twice in separate class loaders, alternates them and reports the ratio. */
class KernelAbTest {

    @Test
    void comparesTwoCopiesOfTheKernelsAndRejectsBadArguments() throws Exception {
        String quant = Path.of(MatMul.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        System.setProperty("edgellm.ab.warmupMs", "40");
        System.setProperty("edgellm.ab.samples", "4");
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            KernelAb.main(new String[] {quant, quant, "b2", "Q8_0,Q4_0"});
        } finally {
            System.setOut(old);
            System.clearProperty("edgellm.ab.warmupMs");
            System.clearProperty("edgellm.ab.samples");
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("b2 Q8_0 t=1") && text.contains("b2 Q4_0 t=1"), text);
        assertTrue(text.matches("(?s).*B/A speed-up median \\d+\\.\\d\\d \\(IQR.*"), text);
        assertThrows(IllegalArgumentException.class, () -> KernelAb.main(new String[] {quant, quant, "xyz", "Q8_0"}));
        assertThrows(IllegalArgumentException.class, () -> KernelAb.main(new String[] {"/no/such.jar", quant, "dec", "Q8_0"}));
        assertThrows(IllegalArgumentException.class, () -> KernelAb.main(new String[] {quant}));
    }
}
