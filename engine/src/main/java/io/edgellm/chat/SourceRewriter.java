package io.edgellm.chat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the few jinja2 constructs that Jinjava parses or treats differently into equivalent forms, keeping the
 * template's meaning under jinja2's grammar. Inside {@code {{ }}} and {@code {% %}} only:
 * <ul>
 *   <li>{@code x[::-1]} → {@code x|reverse} (Jinjava has no slice step);</li>
 *   <li>{@code not a.b is defined} → {@code not (a.b is defined)} (in jinja2 {@code is} binds tighter than
 *       {@code not}; Jinjava applies {@code not} first);</li>
 *   <li>{@code namespace(k=expr, ...)} → {@code namespace(k=(expr), ...)} (Jinjava ends a named argument's value at
 *       the first operator: {@code last=messages|length - 1} became {@code (last=messages|length) - 1});</li>
 *   <li>the literal {@code none} / {@code None} → a variable holding {@link PyNone} (Jinjava's {@code none} is
 *       Java null, which here means undefined).</li>
 * </ul>
 * And on the whole text, jinja2's {@code lstrip_blocks}: spaces and tabs from the start of a line up to a block or
 * comment tag are removed (Jinjava's own option also strips them when the tag is not at the start of a line).
 */
final class SourceRewriter {
    private SourceRewriter() {
    }

    private static final Pattern RAW = Pattern.compile("\\{%-?\\s*raw\\s*-?%\\}.*?\\{%-?\\s*endraw\\s*-?%\\}",
            Pattern.DOTALL);
    private static final Pattern LSTRIP = Pattern.compile("(?m)^[ \\t]+(?=\\{[%#](?![+-]))");
    private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*::\\s*-1\\s*\\]");
    private static final Pattern NOT_IS = Pattern.compile(
            "\\bnot\\s+([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*|\\[(?:'[^']*'|\"[^\"]*\"|[0-9-]+)\\])*)"
                    + "\\s+is\\s+(not\\s+)?([A-Za-z_]+)\\b");
    private static final Pattern NONE_LITERAL = Pattern.compile("(?<![\\w.])(none|None)(?![\\w(])");
    private static final Pattern IS_BEFORE = Pattern.compile("\\bis\\s+(not\\s+)?$");

    static String rewrite(String s) {
        if (RAW.matcher(s).find()) return LSTRIP.matcher(s).replaceAll("");  // keep raw blocks verbatim
        s = LSTRIP.matcher(s).replaceAll("");
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int open = nextOpen(s, i);
            if (open < 0) break;
            char kind = s.charAt(open + 1);
            if (kind == '#') {                       // comment: copy verbatim
                int end = s.indexOf("#}", open + 2);
                int stop = end < 0 ? s.length() : end + 2;
                out.append(s, i, stop);
                i = stop;
                continue;
            }
            int end = closeOf(s, open + 2, kind == '{' ? '}' : '%');
            if (end < 0) break;                      // unterminated: Jinjava reports it
            out.append(s, i, open).append(expression(s.substring(open, end)));
            i = end;
        }
        return out.append(s.substring(i)).toString();
    }

    private static int nextOpen(String s, int from) {
        for (int k = s.indexOf('{', from); k >= 0 && k + 1 < s.length(); k = s.indexOf('{', k + 1)) {
            char c = s.charAt(k + 1);
            if (c == '{' || c == '%' || c == '#') return k;
        }
        return -1;
    }

    /** Index just past the closing {@code }}} / {@code %}} of a tag body starting at {@code from}, skipping strings. */
    private static int closeOf(String s, int from, char first) {
        char quote = 0;
        for (int k = from; k + 1 < s.length(); k++) {
            char c = s.charAt(k);
            if (quote != 0) {
                if (c == '\\') k++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == first && s.charAt(k + 1) == '}') {
                return k + 2;
            }
        }
        return -1;
    }

    private static String expression(String s) {
        s = REVERSE_SLICE.matcher(s).replaceAll("|reverse");
        s = NOT_IS.matcher(s).replaceAll(r -> Matcher.quoteReplacement("not (" + r.group(1) + " is "
                + (r.group(2) == null ? "" : "not ") + r.group(3) + ")"));
        s = wrapNamespaceArgs(s);
        return replaceNone(s);
    }

    /** Replaces the none literal outside string literals and outside {@code is [not] none}. */
    private static String replaceNone(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        char quote = 0;
        int segStart = 0;
        for (; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : 0;
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) {
                    quote = 0;
                    out.append(s, segStart, i + 1);
                    segStart = i + 1;
                }
                continue;
            }
            if (c == '\'' || c == '"' || i == s.length()) {
                String code = s.substring(segStart, i);
                Matcher m = NONE_LITERAL.matcher(code);
                StringBuilder seg = new StringBuilder();
                int last = 0;
                while (m.find()) {
                    seg.append(code, last, m.start());
                    boolean testName = IS_BEFORE.matcher(code.substring(0, m.start())).find();
                    seg.append(testName ? m.group() : PyNone.VARIABLE);
                    last = m.end();
                }
                out.append(seg).append(code.substring(last));
                segStart = i;
                if (i < s.length()) quote = c;
            }
        }
        return out.toString();
    }

    private static String wrapNamespaceArgs(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int j = s.indexOf("namespace(", i);
            if (j < 0) {
                out.append(s, i, s.length());
                return out.toString();
            }
            if (j > 0 && (Character.isLetterOrDigit(s.charAt(j - 1)) || s.charAt(j - 1) == '_')) {
                out.append(s, i, j + 10);
                i = j + 10;
                continue;
            }
            int start = j + "namespace(".length();
            out.append(s, i, start);
            int depth = 0, k = start, argStart = start;
            char quote = 0;
            StringBuilder args = new StringBuilder();
            for (; k < s.length(); k++) {
                char c = s.charAt(k);
                if (quote != 0) {
                    if (c == '\\') k++;
                    else if (c == quote) quote = 0;
                    continue;
                }
                if (c == '\'' || c == '"') quote = c;
                else if (c == '(' || c == '[' || c == '{') depth++;
                else if ((c == ')' || c == ']' || c == '}') && depth > 0) depth--;
                else if (c == ')' || (c == ',' && depth == 0)) {
                    args.append(wrapArg(s.substring(argStart, k)));
                    if (c == ')') break;
                    args.append(',');
                    argStart = k + 1;
                }
            }
            if (k >= s.length()) {
                out.append(s, start, s.length());
                return out.toString();
            }
            out.append(args).append(')');
            i = k + 1;
        }
    }

    private static final Pattern NAMED = Pattern.compile("(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*=)(?!=)(.*)", Pattern.DOTALL);

    private static String wrapArg(String arg) {
        Matcher m = NAMED.matcher(arg);
        if (!m.matches() || m.group(2).isBlank()) return arg;
        return m.group(1) + "(" + m.group(2) + ")";
    }
}
