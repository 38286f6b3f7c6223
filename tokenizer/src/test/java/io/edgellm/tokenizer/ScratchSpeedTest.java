package io.edgellm.tokenizer;

import org.junit.jupiter.api.Test;

class ScratchSpeedTest {
    @Test
    void speed() {
        String text = LargeTextTest.text(1 << 20, 5);
        for (String vocab : java.util.List.of("llama-spm", "llama-bpe", "qwen2", "deepseek-llm")) {
            Tokenizer t = TestData.tokenizer(TestData.vocabFile(vocab));
            long best = Long.MAX_VALUE;
            int n = 0;
            for (int i = 0; i < 6; i++) {
                String s = text.substring(i) + i;
                long t0 = System.nanoTime();
                n = t.encode(s, false, false).length;
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf("%s: 1MB -> %d tokens, best %.1f ms%n", vocab, n, best / 1e6);
        }
    }
}
