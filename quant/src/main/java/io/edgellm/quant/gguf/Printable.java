package io.edgellm.quant.gguf;

/**
 * Makes text from a file (metadata keys, tensor names, string values) safe to print on a terminal or into a log: a
 * crafted name must not set the terminal title, clear the screen or colour the output. Escaped: C0 controls
 * ({@code U+0000..U+001F}; newline and tab too, so a name stays on one line), DEL, C1 controls
 * ({@code U+0080..U+009F}, which include the 8-bit CSI), the bidirectional overrides and isolates
 * ({@code U+202A..U+202E}, {@code U+2066..U+2069}), lone surrogates and the BOM. Those below {@code U+0100} become
 * {@code \xHH} ({@code ESC} → {@code \x1b}), the others {@code \\uHHHH}. Backslashes are kept, so escaping twice
 * changes nothing.
 */
public final class Printable {

    private Printable() {
    }

    /**
     * Escapes the characters listed in the class comment.
     *
     * @param s text from a file, may be null
     * @return {@code s} with those characters escaped ({@code s} itself when there are none); null for null
     */
    public static String escape(String s) {
        if (s == null) return null;
        int i = 0;
        while (i < s.length() && !unsafe(s, i)) i++;
        if (i == s.length()) return s;
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!unsafe(s, i)) {
                sb.append(c);
            } else if (c < 0x100) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.toString();
    }

    private static boolean unsafe(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return true;
        if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF) return true;
        if (Character.isHighSurrogate(c)) return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (Character.isLowSurrogate(c)) return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        return false;
    }
}
