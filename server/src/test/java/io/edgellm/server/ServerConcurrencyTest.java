package io.edgellm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgellm.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@code -np 4}: concurrent completions, streamed and not, are decoded together in the server's one batch engine and
 * each gets the text it gets when sent alone.
 */
class ServerConcurrencyTest {
    private static final String[] PROMPTS = {
        "Once upon a time", "The little dog", "Lily and Ben went to the park", "Tom had a red ball",
        "The sun was hot", "A cat sat on the mat",
    };

    private static String body(String prompt, boolean stream) throws Exception {
        return "{\"prompt\":" + ServerFixture.JSON.writeValueAsString(prompt)
                + ",\"temperature\":0,\"n_predict\":20" + (stream ? ",\"stream\":true" : "") + "}";
    }

    private static String text(ServerFixture.Reply r, boolean stream) throws Exception {
        assertEquals(200, r.status(), r.body());
        if (!stream) return r.json().get("choices").get(0).get("text").asText();
        StringBuilder sb = new StringBuilder();
        List<String> events = ServerFixture.events(r.body());
        assertEquals("[DONE]", events.getLast());
        for (String e : events.subList(0, events.size() - 1)) {
            sb.append(ServerFixture.JSON.readTree(e).get("choices").get(0).get("text").asText());
        }
        return sb.toString();
    }

    @Test
    void concurrentRequestsGetWhatEachGetsAlone() throws Exception {
        try (ServerFixture f = new ServerFixture(ServerOptions.defaults().withParallel(4)
                .withSession(SessionOptions.defaults().withContextLength(128).withThreads(1)))) {
            List<String> alone = new ArrayList<>();
            for (String p : PROMPTS) alone.add(text(f.post("/v1/completions", body(p, false)), false));
            ExecutorService clients = Executors.newFixedThreadPool(PROMPTS.length * 2);
            try {
                List<Future<String>> got = new ArrayList<>();
                for (int i = 0; i < PROMPTS.length * 2; i++) {
                    String p = PROMPTS[i % PROMPTS.length];
                    boolean stream = i >= PROMPTS.length;
                    got.add(clients.submit(() -> text(f.post("/v1/completions", body(p, stream)), stream)));
                }
                for (int i = 0; i < got.size(); i++) {
                    assertEquals(alone.get(i % PROMPTS.length), got.get(i).get(), "request " + i);
                }
            } finally {
                clients.shutdown();
            }
            assertEquals(4, f.get("/health").json().get("slots_idle").asInt());
        }
    }
}
