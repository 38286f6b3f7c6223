package io.edgellm.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KernelAsmProbe} runs every default weight type (the machine-code check of scripts/kernel-asm.sh needs that). */
class KernelAsmProbeTest {

    @Test
    void runsAllDefaultTypesAndRejectsBadArguments() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            KernelAsmProbe.main(new String[]{"2"});
        } finally {
            System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("ran 2 rounds of F32,F16,Q8_0,Q4_0,Q4_K,Q5_K,Q6_K"), text);
        assertTrue(!text.contains("NaN"), text);
        assertThrows(IllegalArgumentException.class, () -> KernelAsmProbe.main(new String[]{"0"}));
        assertThrows(IllegalArgumentException.class, () -> KernelAsmProbe.main(new String[]{"1", "Q9_9"}));
    }
}
