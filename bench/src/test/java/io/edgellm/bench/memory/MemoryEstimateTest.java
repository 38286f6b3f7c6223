package io.edgellm.bench.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.KvCacheType;
import io.edgellm.Model;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect --memory}'s arithmetic against what the engine allocates and the file holds. */
class MemoryEstimateTest {

    @Test
    void weightsAndKvCacheAreExactAndTheTotalAddsUp(@TempDir Path dir) throws Exception {
        Path f = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        try (Model m = Model.load(f)) {
            for (KvCacheType kv : KvCacheType.values()) {
                MemoryEstimate e = MemoryEstimate.of(m.gguf(), m.config(), 256, 2, 64, 2, kv);
                try (Session s = m.newSession(SessionOptions.defaults().withContextLength(256).withKvCacheType(kv))) {
                    assertEquals(2 * s.kvCacheBytes(), e.kvCacheBytes(), kv.name()); // -np 2: two caches
                }
                assertEquals(e.weightsByType().values().stream().mapToLong(Long::longValue).sum(), e.weightBytes());
                assertTrue(e.weightsByType().containsKey("Q8_0"));
                assertTrue(e.weightBytes() < Files.size(f) && e.weightBytes() > 0.9 * Files.size(f) - 200_000);
                assertEquals(e.kvCacheBytes() + e.scratchBytes() + e.tokenizerBytes(), e.heapLiveBytes());
                assertEquals(e.weightBytes() + e.heapBytes() + e.jvmBytes(), e.totalBytes());
            }
            MemoryEstimate e = MemoryEstimate.of(m.gguf(), m.config(), 512, 1, 512, 1, KvCacheType.F32);
            Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemTotal: 8000000 kB\nMemAvailable:  100000 kB\n");
            assertEquals(100000L * 1024, MemoryEstimate.memAvailable(meminfo));
            assertTrue(e.format(100000L * 1024).contains("DOES NOT FIT"), e.format(100000L * 1024));
            assertTrue(e.format(8L << 30).contains("fits ("));
            assertEquals(-1, MemoryEstimate.memAvailable(dir.resolve("missing")));
            assertTrue(e.format(-1).contains("available: unknown"));
        }
    }
}
