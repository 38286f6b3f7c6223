package io.edgellm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgellm.testing.SharedData;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Session#generateParallel}: N samples of one prompt decoded together (prompt prefilled once, KV shared through
 * {@code seq_cp}) give, sample by sample, what N separate generations with seeds {@code seed + i} give.
 */
class ParallelGenerateTest {

    @Test
    void eachSampleEqualsItsSeparateGeneration() throws Exception {
        try (Model m = Model.load(SharedData.path("models/stories260K.gguf"));
             Session s = m.newSession(SessionOptions.defaults().withContextLength(256).withThreads(2))) {
            int[] prompt = m.tokenizer().encode("Once upon a time", true, true);
            SamplingParams sp = SamplingParams.defaults().withSeed(42).withMaxNewTokens(24);
            StringBuilder streamed0 = new StringBuilder();
            List<GenerationResult> par = s.generateParallel(prompt, 4, sp, (seq, id, text) -> {
                if (seq == 0) streamed0.append(text);
            });
            assertEquals(4, par.size());
            assertEquals(par.get(0).text(), streamed0.toString());
            assertEquals(0, s.position(), "the cache is emptied afterwards");
            for (int i = 0; i < 4; i++) {
                s.reset();
                GenerationResult alone = s.generate(prompt, sp.withSeed(42 + i), null);
                assertArrayEquals(alone.generatedIds(), par.get(i).generatedIds(), "sample " + i);
                assertEquals(alone.text(), par.get(i).text());
            }
            // greedy: every sample is the greedy continuation
            List<GenerationResult> greedy = s.generateParallel(prompt, 3, SamplingParams.greedy().withMaxNewTokens(16), null);
            s.reset();
            int[] want = s.generate(prompt, SamplingParams.greedy().withMaxNewTokens(16), null).generatedIds();
            for (GenerationResult r : greedy) assertArrayEquals(want, r.generatedIds());
            assertThrows(IllegalArgumentException.class, () -> s.generateParallel(prompt, 65, sp, null));
            assertThrows(IllegalArgumentException.class, () -> s.generateParallel(new int[0], 2, sp, null));
        }
    }
}
