package io.edgellm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.GenerationResult;
import io.edgellm.Model;
import io.edgellm.ReasoningTimings;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.testing.SharedData;
import io.edgellm.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReasoningTimings}: the thinking/answer split on a synthetic qwen2 model with DeepSeek-R1-Distill's template. */
class ReasoningTimingsTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void makeModel() throws Exception {
        model = ChatSessionTest.thinkModel(tmp, Files.readString(SharedData.path(ChatSessionTest.R1), StandardCharsets.UTF_8));
    }

    private static double[] ramp(int n) {
        return IntStream.range(0, n).mapToDouble(i -> 10.0 + i).toArray();
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    /** {@code text} spelled with the longest ordinary tokens that decode to its parts (no added token). */
    private static int[] pieces(Tokenizer tok, String text) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (int at = 0; at < text.length(); ) {
            int best = -1, len = 0;
            for (int id = 0; id < tok.vocabSize(); id++) {
                if (id == 509 || id == 510) continue;
                String d = tok.tokenText(id);
                if (d.length() > len && text.startsWith(d, at)) {
                    best = id;
                    len = d.length();
                }
            }
            assertTrue(best >= 0, "no token spells " + text.substring(at));
            out.add(best);
            at += len;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void splitsAtTheClosingTagHoweverItIsTokenized() throws Exception {
        try (Model m = Model.load(model)) {
            Tokenizer tok = m.tokenizer();
            int[] think = tok.encode("Let me think about it", false, false);
            int[] answer = tok.encode(" The answer is four.", false, false);
            int[] closeOne = tok.encode(ChatSession.THINK_CLOSE, false, true);     // the added token
            int[] closePieces = pieces(tok, ChatSession.THINK_CLOSE);           // the same text as ordinary pieces
            assertEquals(1, closeOne.length);
            assertTrue(closePieces.length > 1, Arrays.toString(closePieces));
            for (int[] close : new int[][] {closeOne, closePieces}) {
                int[] ids = concat(think, close, answer);
                ReasoningTimings r = ReasoningTimings.of(tok, ids, ramp(ids.length), true);
                assertTrue(r.hasThinking());
                assertEquals(think.length + close.length, r.thinkTokens(), Arrays.toString(close) + " " + tok.decode(ids));
                assertEquals(answer.length, r.answerTokens());
                assertEquals(10.0, r.firstTokenMs());
                assertEquals(10.0 + think.length + close.length, r.firstAnswerMs());
                // the model opening the block itself counts the same, the open tag being thinking
                int[] open = tok.encode(ChatSession.THINK_OPEN, false, true);
                int[] ids2 = concat(open, ids);
                ReasoningTimings r2 = ReasoningTimings.of(tok, ids2, ramp(ids2.length), false);
                assertEquals(open.length + think.length + close.length, r2.thinkTokens());
                assertEquals(answer.length, r2.answerTokens());
            }
            // no thinking block: everything is answer, TTFAT is TTFT; an unclosed block: no answer yet
            ReasoningTimings none = ReasoningTimings.of(tok, answer, ramp(answer.length), false);
            assertFalse(none.hasThinking());
            assertEquals(answer.length, none.answerTokens());
            assertEquals(none.firstTokenMs(), none.firstAnswerMs());
            ReasoningTimings open = ReasoningTimings.of(tok, think, ramp(think.length), true);
            assertEquals(think.length, open.thinkTokens());
            assertEquals(0, open.answerTokens());
            assertEquals(-1, open.firstAnswerMs());
        }
    }

    @Test
    void budgetForcedChatCountsTheClosingTagAsThinking() throws Exception {
        try (Model m = Model.load(model)) {
            int closing = ChatSession.closingTokens(m.tokenizer()).length;
            for (int budget : new int[] {0, 5, 12}) {
                try (Session s = m.newSession(SessionOptions.defaults().withContextLength(256).withThreads(1))) {
                    ChatSession chat = new ChatSession(s, ChatTemplate.fromModel(m).orElseThrow(),
                            ChatOptions.defaults().withReasoningBudget(budget));
                    ChatResult c = chat.chat(ChatSessionTest.ASK, SamplingParams.greedy().withMaxNewTokens(budget + 6), null);
                    ReasoningTimings r = c.reasoningTimings();
                    assertTrue(r.hasThinking());
                    assertEquals(budget + closing, r.thinkTokens(), "budget " + budget);
                    assertEquals(c.answerTokens(), r.answerTokens());
                    if (c.stopReason() == io.edgellm.StopReason.MAX_TOKENS) assertEquals(6, r.answerTokens());
                    assertTrue(r.firstTokenMs() > 0);
                    if (r.answerTokens() > 0) {
                        assertTrue(r.firstAnswerMs() >= r.firstTokenMs(), r.toString());
                        if (budget > 0) assertTrue(r.firstAnswerMs() > r.firstTokenMs(), r.toString());
                    }
                }
            }
        }
    }

    @Test
    void recorderTimesAPlainGeneration() throws Exception {
        try (Model m = Model.load(model);
             Session s = m.newSession(SessionOptions.defaults().withContextLength(256).withThreads(1))) {
            // a raw prompt that ends inside a thinking block, then the model's own tokens up to a closing tag
            String prompt = new ChatSession(s, ChatTemplate.fromModel(m).orElseThrow(), ChatOptions.defaults())
                    .prompt(ChatSessionTest.ASK);
            assertTrue(ReasoningTimings.opensThinking(prompt));
            ReasoningTimings.Recorder rec = new ReasoningTimings.Recorder(null);
            rec.start();
            GenerationResult g = s.generate(m.tokenizer().encode(prompt, false, true), SamplingParams.greedy().withMaxNewTokens(5), rec);
            ReasoningTimings r = rec.timings(m.tokenizer(), g, prompt);
            int close = -1;
            for (int i = 0; i < g.generatedIds().length && close < 0; i++) if (g.generatedIds()[i] == 510) close = i;
            assertEquals(close < 0 ? g.generatedIds().length : close + 1, r.thinkTokens(), Arrays.toString(g.generatedIds()));
            assertTrue(r.firstTokenMs() > 0 && r.firstTokenMs() >= g.timings().promptEvalMs(), r + " " + g.timings());
        }
    }
}
