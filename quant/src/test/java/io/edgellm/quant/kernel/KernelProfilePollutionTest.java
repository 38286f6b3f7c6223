package io.edgellm.quant.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One JVM, several weight types, run one after the other: each kernel must still be compiled with its vectors in
 * registers. C2 compiles Vector API code from type profiles that library methods (casts, conversions) share between
 * all callers; when two kernels fed them different vector shapes, the kernel compiled second boxed every vector (a
 * JVM that had run a Q4_0 model ran Q8_0 at 0.5–4.7 instead of 22 GB/s; in a Q4_K_M model Q4_K and Q6_K
 * tensors alternate in every forward pass; the K-quant integer kernels use the Q8_0 ones' shapes plus an int
 * lane reduction). Boxing is measured as what it is, heap
 * allocation per call at steady state ({@link PollutionProbe}, a fresh JVM per case), not as time.
 */
class KernelProfilePollutionTest {

    @ParameterizedTest(name = "{0} at MaxVectorSize={1}")
    @CsvSource({
            "'Q4_0,Q8_0', 64", "'Q8_0,Q4_0', 64", "'Q6_K,Q8_0,Q4_0', 64", "'Q4_K,Q6_K,Q5_0,Q8_0', 64",
            "'Q4_0,Q8_0,Q5_K,Q6_K,Q4_K', 64",
            "'Q4_0,Q8_0', 32", "'Q6_K,Q4_K,Q8_0,Q4_0', 32", "'Q4_0,Q8_0', 16", "'F16,Q6_K,Q8_0,Q4_0', 16",
            "'Q4_K,Q5_K,Q6_K,Q4_0', 16"})
    void kernelsRunAfterOtherTypesWithoutBoxing(String types, int maxVectorBytes) throws Exception {
        Map<String, Long> perCall = probe(types, maxVectorBytes);
        assertEquals(types.split(",").length, perCall.size(), "probe output: " + perCall);
        perCall.forEach((type, bytes) -> assertTrue(bytes < 64,
                type + " after " + types + " (MaxVectorSize=" + maxVectorBytes + "): " + bytes
                        + " bytes allocated per matvec at steady state: its vectors are boxed"));
    }

    static Map<String, Long> probe(String types, int maxVectorBytes) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-XX:MaxVectorSize=" + maxVectorBytes, "-Xmx256m",
                "-cp", cp, PollutionProbe.class.getName(), types));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "probe did not finish");
        assertEquals(0, p.exitValue(), "probe failed:\n" + out);
        Map<String, Long> perCall = new TreeMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 2 && f[1].matches("\\d+")) perCall.put(f[0], Long.parseLong(f[1]));
        }
        return perCall;
    }
}
