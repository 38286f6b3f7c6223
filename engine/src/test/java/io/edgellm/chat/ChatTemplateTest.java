package io.edgellm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Behaviours of {@link ChatTemplate} that need no shared data. */
class ChatTemplateTest {
    private static String render(String src, Map<String, Object> vars) {
        return ChatTemplate.of(src).withNow(LocalDateTime.of(2026, 1, 15, 0, 0))
                .render(List.of(ChatMessage.user("hi")), false, "<s>", "</s>", vars);
    }

    @Test
    void tojsonFollowsPythonJsonDumps() {
        Map<String, Object> v = Map.of("x", List.of(Map.of("a", "<ü>&'"), 1.5, 1e-5, 3, true));
        assertEquals("[{\"a\": \"<ü>&'\"}, 1.5, 1e-05, 3, true]", render("{{ x|tojson }}", v));
        assertEquals("[\n  1,\n  []\n]", render("{{ [1, []]|tojson(indent=2) }}", Map.of()));
        assertEquals("{\"b\":1}", render("{{ {'b': 1}|tojson(separators=(',', ':')) }}", Map.of()));
        assertEquals("null", render("{{ none|tojson }}", Map.of()));
    }

    @Test
    void pythonStringMethodsAndTests() {
        assertEquals("a|b c|True|False|3", render("{{ ' a '.strip() }}|{{ 'b c'.split()|join(' ') }}|"
                + "{{ 'abc'.startswith('ab') }}|{{ x is defined }}|{{ 'ü你🙂'|length }}", Map.of()));
        assertEquals("15 Jan 2026 Thursday", render("{{ strftime_now('%d %b %Y %A') }}", Map.of()));
    }

    @Test
    void raiseExceptionKeepsTheTemplatesMessage() {
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> render("{{ raise_exception('System role not supported') }}", Map.of()));
        assertTrue(e.raisedByTemplate());
        assertEquals("System role not supported", e.getMessage());
        ChatTemplateException u = assertThrows(ChatTemplateException.class,
                () -> render("{{ 'x' + messages[0].missing }}", Map.of()));
        assertTrue(!u.raisedByTemplate());
    }

    @Test
    void stopStringsComeFromTheTemplate() {
        assertEquals(List.of("<|im_end|>"), ChatTemplate.of("{{ '<|im_start|>' + m + '<|im_end|>' }}").stopStrings());
        assertEquals(List.of("<|eot_id|>"), ChatTemplate.of("<|eot_id|>").stopStrings());
    }
}
