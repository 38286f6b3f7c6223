package io.edgellm.quant.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Jazzer fuzz target for the GGUF reader: any byte string must either parse (and then every value and tensor slice is
 * readable) or be rejected with a {@link GgufFormatException}; any other exception or error is a finding.
 *
 * <p>Runs only when {@code JAZZER_FUZZ} is set, so that the normal suite does not load the Jazzer agent into the JVM
 * that also runs the kernel tests (the always-on robustness check is {@link GgufMutationTest}). To fuzz with coverage
 * guidance for 90 s: {@code JAZZER_FUZZ=1 ./mvnj -pl quant test -Dtest=GgufFuzzTest}. Jazzer keeps its corpus in
 * {@code quant/.cifuzz-corpus} (do not commit it) and writes a reproducer of any finding to
 * {@code src/test/resources/io/edgellm/quant/gguf/GgufFuzzTestInputs/parse/}, which later runs replay. A first 90 s
 * campaign (3.4 M inputs, JDK 25) found nothing.
 */
@EnabledIfEnvironmentVariable(named = "JAZZER_FUZZ", matches = ".+")
class GgufFuzzTest {
    private static final Path NAME = Path.of("fuzz.gguf");

    @FuzzTest(maxDuration = "90s")
    void parse(byte[] data) {
        GgufFile f;
        try {
            f = GgufFile.parse(NAME, MemorySegment.ofArray(data), null);
        } catch (GgufFormatException expected) {
            return;
        }
        for (Map.Entry<String, Object> e : f.metadata().entrySet()) {
            GgufValueType t = f.typeOf(e.getKey()).orElseThrow();
            if (t.isInteger()) {
                f.getLong(e.getKey());
            }
            if (t == GgufValueType.ARRAY) {
                f.findArray(e.getKey()).orElseThrow().hashCode();
            }
        }
        for (GgufTensorInfo t : f.tensors()) {
            MemorySegment s = f.tensorData(t);
            assertEquals(t.byteSize(), s.byteSize());
            if (s.byteSize() > 0) {
                s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1);
            }
            t.elementCount();
        }
    }
}
