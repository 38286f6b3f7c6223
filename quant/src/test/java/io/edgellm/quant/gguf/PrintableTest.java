package io.edgellm.quant.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Issue 14, item 5: terminal control sequences from a file are escaped before they are printed. */
class PrintableTest {

    @Test
    void escapesControlsAndKeepsText() {
        assertEquals("blk.0\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mred", Printable.escape("blk.0\u001b]0;pwned\u0007\u001b[2J\u001b[31mred"));
        assertEquals("a\\x0ab\\x09c\\x7fd\\x9be", Printable.escape("a\nb\tc\u007fd\u009be"));
        assertEquals("x\\u202ey\\u2066z\\ufeff", Printable.escape("x\u202ey\u2066z\ufeff"));
        assertEquals("lone \\ud800 surrogate", Printable.escape("lone \ud800 surrogate"));
        String fine = "▁hello 日本語 😀 \\x1b (already escaped)";
        assertSame(fine, Printable.escape(fine));
        String once = Printable.escape("\u001b[0m");
        assertEquals(once, Printable.escape(once), "idempotent");
        assertNull(Printable.escape(null));
    }

    @Test
    void formatExceptionsCarryNoControlBytes() {
        GgufFormatException e = new GgufFormatException(java.nio.file.Path.of("m.gguf"), 8, "bad name '\u001b[2J'");
        assertEquals("m.gguf: at byte offset 8: bad name '\\x1b[2J'", e.getMessage());
    }
}
