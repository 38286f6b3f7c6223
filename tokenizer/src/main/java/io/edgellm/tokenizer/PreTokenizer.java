package io.edgellm.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the "words" byte-level BPE merges within, the way llama.cpp's {@code unicode_regex_split}
 * (src/unicode.cpp) does: a list of regexes applied one after another, each one splitting every piece the previous
 * ones produced (a regex never matches across a piece boundary), with unmatched stretches kept as pieces of their own.
 *
 * <p>Three kinds of step, as in llama.cpp:
 * <ul>
 *   <li>the GPT-2 regex {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)} and the Llama-3
 *       regex run as hand-written scanners ({@code unicode_regex_split_custom_gpt2/llama3}); they are not exactly the
 *       regexes (for example a lone code point no alternative matches becomes a one-code-point word), and llama.cpp's
 *       results are what the test vectors hold, so the scanners reproduce llama.cpp's logic;</li>
 *   <li>a regex using {@code \p{L} \p{N} \p{P} \p{M} \p{S}} runs on a "collapsed" text: every code point ≥ 128 is
 *       replaced by one stand-in character for its category (0xD1 number, 0xD2 letter, 0xD3 punctuation, 0xD4 mark,
 *       0xD5 symbol, 0xD0 anything else, 0x0B for Unicode whitespace) and each {@code \p{X}} by a class of its stand-in
 *       plus the ASCII members of X. ASCII stays itself. So {@code \s} means ASCII whitespace plus 0x0B;</li>
 *   <li>any other regex runs on the code points, with non-ASCII whitespace replaced by 0x0B.</li>
 * </ul>
 * The regexes are llama.cpp's ECMAScript ones; Java's backtracking engine gives the same leftmost-first, greedy
 * matches for them. Differences we adapt: {@code $} becomes {@code \z} (Java's {@code $} also matches before a final
 * line terminator), and no {@code UNICODE_CHARACTER_CLASS} flag is used so {@code \s} is ASCII, like std::regex's.
 *
 * <p>Positions are in code points, as llama.cpp's offsets are.
 */
final class PreTokenizer {

    /** llama.cpp's GPT-2 regex; recognised by its exact text and run by {@link #splitGpt2}. */
    static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    /** The Llama-3 regex as tokenizer.json writes it; recognised by its exact text and run by {@link #splitLlama3}. */
    static final String LLAMA3_REGEX_ORIGINAL = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** The Llama-3 regex as llama.cpp adapted it (no inline case flag); also run by {@link #splitLlama3}. */
    static final String LLAMA3_REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** One splitting step. */
    private sealed interface Step permits Gpt2Step, Llama3Step, RegexStep, ClassStep {
    }

    private record Gpt2Step() implements Step {
    }

    private record Llama3Step() implements Step {
    }

    /** A regex step: {@code pattern} is already translated to Java; {@code collapsed} says which text it runs on. */
    private record RegexStep(String source, Pattern pattern, boolean collapsed) implements Step {
    }

    /**
     * A raw-text regex of the form {@code [class]}, {@code [class]+} or {@code \s?[class]+}, run by a scanner with
     * cached class membership: Java tests a class of many ranges one range at a time, which made DeepSeek's
     * 150-range letter class the bottleneck. The scanner finds the same leftmost, greedy matches.
     */
    private record ClassStep(String source, ClassMembership members, boolean optionalSpace, boolean plus)
            implements Step {
    }

    /** {@code \s?} optional, one bracket class (no nested brackets), {@code +} optional. */
    private static final Pattern CLASS_SHAPE = Pattern.compile("(\\\\s\\?)?(\\[(?:[^\\[\\]\\\\]|\\\\.)*\\])(\\+)?");

    private final List<Step> steps;
    private final boolean needCollapsed;
    private final boolean needRaw;

    /**
     * @param regexes llama.cpp regexes in application order
     * @throws IllegalArgumentException when a regex cannot be translated or compiled
     */
    PreTokenizer(List<String> regexes) {
        List<Step> s = new ArrayList<>();
        boolean collapsed = false, raw = false;
        for (String r : regexes) {
            if (r.equals(GPT2_REGEX)) {
                s.add(new Gpt2Step());
            } else if (r.equals(LLAMA3_REGEX) || r.equals(LLAMA3_REGEX_ORIGINAL)) {
                s.add(new Llama3Step());
            } else if (usesCategory(r)) {
                s.add(new RegexStep(r, Pattern.compile(translateCollapsed(r)), true));
                collapsed = true;
            } else {
                Matcher shape = CLASS_SHAPE.matcher(r);
                if (shape.matches()) {
                    s.add(new ClassStep(r, new ClassMembership(Pattern.compile(shape.group(2))),
                            shape.group(1) != null, shape.group(3) != null));
                } else {
                    s.add(new RegexStep(r, Pattern.compile(translateDollar(r)), false));
                }
                raw = true;
            }
        }
        this.steps = List.copyOf(s);
        this.needCollapsed = collapsed;
        this.needRaw = raw;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // regex translation

    private static final String[] CATEGORY_NAMES = {"\\p{N}", "\\p{L}", "\\p{P}", "\\p{M}", "\\p{S}", "\\p{Lu}",
            "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}"};

    /** Class contents (without brackets) that replace each category: the stand-in char + the ASCII members. */
    private static String categoryClass(String name) {
        return switch (name) {
            case "\\p{N}" -> "\\xD10-9";
            case "\\p{L}", "\\p{Lu}", "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}" -> "\\xD2A-Za-z";
            // !-#  %-*  ,-/  :-;  ?-@  [-]  _  {  }   (ASCII punctuation, \p{P})
            case "\\p{P}" -> "\\xD3!-#%-*,-/:-;?-@\\[-\\]_\\{\\}";
            case "\\p{M}" -> "\\xD4";
            // $ + <-> ^ ` |   (llama.cpp's ASCII symbols; note: '~' is missing there, and so here)
            case "\\p{S}" -> "\\xD5\\$\\+<->\\^`\\|";
            default -> throw new IllegalArgumentException("unknown category " + name);
        };
    }

    private static boolean usesCategory(String regex) {
        for (String c : CATEGORY_NAMES) {
            if (regex.contains(c)) {
                return true;
            }
        }
        return false;
    }

    /** The collapsed form of a llama.cpp regex, in Java syntax (llama.cpp: the loop building regex_expr_collapsed). */
    static String translateCollapsed(String regex) {
        for (int i = 0; i < regex.length(); i++) {
            if (regex.charAt(i) >= 128) {
                throw new IllegalArgumentException("regex mixes unicode categories and non-ASCII characters: " + regex);
            }
        }
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
            if (c == '[' && !escaped) {
                out.append('[');
                inside = true;
                continue;
            }
            if (inside && c == ']' && !escaped) {
                out.append(']');
                inside = false;
                continue;
            }
            if (c == '\\' && i + 3 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                int close = regex.indexOf('}', i + 3);
                if (close >= 0 && close <= i + 10) {
                    String name = regex.substring(i, close + 1);
                    if (isCategory(name)) {
                        out.append(inside ? "" : "[").append(categoryClass(name)).append(inside ? "" : "]");
                        i = close;
                        continue;
                    }
                }
            }
            if (c == '$' && !inside && !escaped) {
                out.append("\\z");
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Replaces an unescaped {@code $} outside brackets by {@code \z} (ECMAScript's {@code $} = end of input). */
    static String translateDollar(String regex) {
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
            if (c == '[' && !escaped) {
                inside = true;
            } else if (c == ']' && inside && !escaped) {
                inside = false;
            } else if (c == '$' && !inside && !escaped) {
                out.append("\\z");
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static boolean isCategory(String name) {
        for (String c : CATEGORY_NAMES) {
            if (c.equals(name)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // splitting

    /**
     * Splits {@code cps[0..n)}.
     *
     * @return the word lengths in code points, in order; they sum to n and none is 0
     */
    IntList split(int[] cps, int n) {
        IntList offsets = new IntList(Math.max(16, n / 4));
        if (n == 0) {
            return offsets;
        }
        offsets.add(n);
        Texts texts = new Texts(cps, n, needCollapsed, needRaw);
        for (Step step : steps) {
            IntList next = new IntList(Math.max(16, offsets.size() * 2));
            switch (step) {
                case Gpt2Step g -> splitGpt2(cps, offsets, next);
                case Llama3Step l -> splitLlama3(cps, offsets, next);
                case RegexStep r -> splitRegex(texts, r, offsets, next);
                case ClassStep c -> splitClass(cps, c, offsets, next);
            }
            offsets = next;
        }
        return offsets;
    }

    /** The texts the regex steps run on, built once per split. */
    private static final class Texts {
        final String collapsed;
        final String raw;
        /** code point index → char index in raw (length n+1), or null when raw has no surrogate pairs */
        final int[] cpToChar;
        /** char index in raw → code point index (length raw.length()+1), or null when identical */
        final int[] charToCp;

        Texts(int[] cps, int n, boolean needCollapsed, boolean needRaw) {
            if (needCollapsed) {
                char[] c = new char[n];
                for (int i = 0; i < n; i++) {
                    c[i] = collapse(cps[i]);
                }
                collapsed = new String(c);
            } else {
                collapsed = null;
            }
            if (needRaw) {
                StringBuilder sb = new StringBuilder(n + 16);
                boolean supplementary = false;
                for (int i = 0; i < n; i++) {
                    int cp = cps[i];
                    if (cp > 0x7F && CodepointFlags.isWhitespace(CodepointFlags.of(cp))) {
                        cp = 0x0B; // std::wregex's \s only knows ASCII whitespace: llama.cpp substitutes VT
                    }
                    supplementary |= cp >= 0x10000;
                    sb.appendCodePoint(cp);
                }
                raw = sb.toString();
                if (supplementary) {
                    cpToChar = new int[n + 1];
                    charToCp = new int[raw.length() + 1];
                    int ci = 0;
                    for (int i = 0; i < n; i++) {
                        cpToChar[i] = ci;
                        charToCp[ci] = i;
                        int len = Character.charCount(raw.codePointAt(ci));
                        if (len == 2) {
                            charToCp[ci + 1] = i; // never a match boundary: Java matches whole code points
                        }
                        ci += len;
                    }
                    cpToChar[n] = ci;
                    charToCp[ci] = n;
                } else {
                    cpToChar = null;
                    charToCp = null;
                }
            } else {
                raw = null;
                cpToChar = null;
                charToCp = null;
            }
        }

        /** llama.cpp's collapsed representation of one code point. */
        private static char collapse(int cp) {
            if (cp < 128) {
                return (char) cp;
            }
            int f = CodepointFlags.of(cp);
            if (CodepointFlags.isWhitespace(f)) {
                return 0x0B;
            }
            return switch (f & CodepointFlags.CATEGORY_MASK) {
                case CodepointFlags.NUMBER -> 0xD1;
                case CodepointFlags.LETTER -> 0xD2;
                case CodepointFlags.PUNCTUATION -> 0xD3;
                case CodepointFlags.MARK -> 0xD4;
                case CodepointFlags.SYMBOL -> 0xD5;
                default -> 0xD0;
            };
        }
    }

    /** llama.cpp's unicode_regex_split_stl: matches and the gaps between them become pieces. */
    private static void splitRegex(Texts texts, RegexStep step, IntList offsets, IntList out) {
        String text = step.collapsed() ? texts.collapsed : texts.raw;
        int[] cpToChar = step.collapsed() ? null : texts.cpToChar;
        int[] charToCp = step.collapsed() ? null : texts.charToCp;
        Matcher m = step.pattern().matcher(text);
        // opaque bounds: lookaheads cannot see past a piece; anchoring bounds: \z matches at the piece end
        m.useTransparentBounds(false).useAnchoringBounds(true);
        int start = 0;
        for (int k = 0; k < offsets.size(); k++) {
            int len = offsets.get(k);
            int from = cpToChar == null ? start : cpToChar[start];
            int to = cpToChar == null ? start + len : cpToChar[start + len];
            m.region(from, to);
            int prev = start; // code point index where the next piece begins
            while (m.find()) {
                int ms = charToCp == null ? m.start() : charToCp[m.start()];
                int me = charToCp == null ? m.end() : charToCp[m.end()];
                if (ms > prev) {
                    out.add(ms - prev);
                }
                if (me > ms) {
                    out.add(me - ms);
                }
                prev = Math.max(prev, me);
            }
            if (prev < start + len) {
                out.add(start + len - prev);
            }
            start += len;
        }
    }

    /** ECMAScript/Java {@code \s} on the raw text, where non-ASCII whitespace has become 0x0B. */
    private static boolean isRawSpace(int cp) {
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp > 0x7F && CodepointFlags.isWhitespace(CodepointFlags.of(cp)));
    }

    /** The raw text's code point: non-ASCII whitespace reads as 0x0B, as in llama.cpp's wregex input. */
    private static int rawCp(int cp) {
        return cp > 0x7F && CodepointFlags.isWhitespace(CodepointFlags.of(cp)) ? 0x0B : cp;
    }

    /** Runs a {@link ClassStep}: matches and the gaps between them become pieces, like {@link #splitRegex}. */
    private static void splitClass(int[] cps, ClassStep step, IntList offsets, IntList out) {
        ClassMembership m = step.members();
        int start = 0;
        for (int k = 0; k < offsets.size(); k++) {
            final int end = start + offsets.get(k);
            int prev = start; // where the next piece begins
            int i = start;
            while (i < end) {
                // leftmost match at i: "\s?" takes a space when a member follows, else the match starts at a member
                int matchEnd;
                if (step.optionalSpace() && isRawSpace(cps[i]) && i + 1 < end && m.contains(rawCp(cps[i + 1]))) {
                    matchEnd = i + 2;
                } else if (m.contains(rawCp(cps[i]))) {
                    matchEnd = i + 1;
                } else {
                    i++;
                    continue;
                }
                if (step.plus()) {
                    while (matchEnd < end && m.contains(rawCp(cps[matchEnd]))) {
                        matchEnd++;
                    }
                }
                if (i > prev) {
                    out.add(i - prev);
                }
                out.add(matchEnd - i);
                prev = i = matchEnd;
            }
            if (prev < end) {
                out.add(end - prev);
            }
            start = end;
        }
    }

    /** Lazily cached membership of code points in a compiled one-character class. Thread-safe (idempotent writes). */
    static final class ClassMembership {
        private final Pattern cls;
        /** BMP: 0 unknown, 1 no, 2 yes */
        private final byte[] bmp = new byte[0x10000];
        private final java.util.concurrent.ConcurrentHashMap<Integer, Boolean> supplementary =
                new java.util.concurrent.ConcurrentHashMap<>();

        ClassMembership(Pattern cls) {
            this.cls = cls;
        }

        boolean contains(int cp) {
            if (cp < 0x10000) {
                byte b = bmp[cp];
                if (b == 0) {
                    b = test(cp) ? (byte) 2 : (byte) 1;
                    bmp[cp] = b;
                }
                return b == 2;
            }
            return supplementary.computeIfAbsent(cp, this::test);
        }

        private boolean test(int cp) {
            return cls.matcher(Character.toString(cp)).matches();
        }
    }

    /** flags of cps[pos] if pos lies in [ini, end), else 0 (llama.cpp's _get_flags). */
    private static int flagsAt(int[] cps, int pos, int ini, int end) {
        return pos >= ini && pos < end ? CodepointFlags.of(cps[pos]) : 0;
    }

    /** cps[pos] if pos lies in [ini, end), else -1 (llama.cpp's OUT_OF_RANGE). */
    private static int cpAt(int[] cps, int pos, int ini, int end) {
        return pos >= ini && pos < end ? cps[pos] : -1;
    }

    private static final int WS_L_N = CodepointFlags.WHITESPACE | CodepointFlags.LETTER | CodepointFlags.NUMBER;

    /** llama.cpp's unicode_regex_split_custom_gpt2, one piece at a time. */
    static void splitGpt2(int[] cps, IntList offsets, IntList out) {
        int start = 0;
        for (int k = 0; k < offsets.size(); k++) {
            final int ini = start, end = start + offsets.get(k);
            start = end;
            int pos = ini;
            while (pos < end) {
                int cp = cps[pos];
                int f = CodepointFlags.of(cp);
                // 's|'t|'re|'ve|'m|'ll|'d
                if (cp == '\'' && pos + 1 < end) {
                    int n1 = cps[pos + 1];
                    if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') {
                        out.add(2);
                        pos += 2;
                        continue;
                    }
                    if (pos + 2 < end) {
                        int n2 = cps[pos + 2];
                        if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) {
                            out.add(3);
                            pos += 3;
                            continue;
                        }
                    }
                }
                // the optional leading space: look at the code point after it
                int f2 = cp == ' ' ? flagsAt(cps, pos + 1, ini, end) : f;
                int wordStart = pos;
                if (CodepointFlags.isLetter(f2)) { // ' ?\p{L}+'
                    if (cp == ' ') {
                        pos++;
                    }
                    while (CodepointFlags.isLetter(f2)) {
                        f2 = flagsAt(cps, ++pos, ini, end);
                    }
                    out.add(pos - wordStart);
                    continue;
                }
                if (CodepointFlags.isNumber(f2)) { // ' ?\p{N}+'
                    if (cp == ' ') {
                        pos++;
                    }
                    while (CodepointFlags.isNumber(f2)) {
                        f2 = flagsAt(cps, ++pos, ini, end);
                    }
                    out.add(pos - wordStart);
                    continue;
                }
                if ((f2 & WS_L_N) == 0 && f2 != 0) { // ' ?[^\s\p{L}\p{N}]+'
                    if (cp == ' ') {
                        pos++;
                    }
                    while ((f2 & WS_L_N) == 0 && f2 != 0) {
                        f2 = flagsAt(cps, ++pos, ini, end);
                    }
                    out.add(pos - wordStart);
                    continue;
                }
                int nws = 0;
                while (CodepointFlags.isWhitespace(flagsAt(cps, pos + nws, ini, end))) {
                    nws++;
                }
                if (nws > 1 && pos + nws < end) { // '\s+(?!\S)': leave the last space to the next word
                    out.add(nws - 1);
                    pos += nws - 1;
                    continue;
                }
                if (nws > 0) { // '\s+'
                    out.add(nws);
                    pos += nws;
                    continue;
                }
                out.add(1); // no alternative matched: one code point on its own
                pos++;
            }
        }
    }

    /** llama.cpp's unicode_regex_split_custom_llama3, one piece at a time. */
    static void splitLlama3(int[] cps, IntList offsets, IntList out) {
        int start = 0;
        for (int k = 0; k < offsets.size(); k++) {
            final int ini = start, end = start + offsets.get(k);
            start = end;
            int pos = ini;
            while (pos < end) {
                int cp = cps[pos];
                int f = CodepointFlags.of(cp);
                int wordStart = pos;
                // (?i:'s|'t|'re|'ve|'m|'ll|'d)
                if (cp == '\'' && pos + 1 < end) {
                    int n1 = Character.toLowerCase(cps[pos + 1]);
                    if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') {
                        out.add(2);
                        pos += 2;
                        continue;
                    }
                    if (pos + 2 < end) {
                        int n2 = Character.toLowerCase(cps[pos + 2]);
                        if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) {
                            out.add(3);
                            pos += 3;
                            continue;
                        }
                    }
                }
                // [^\r\n\p{L}\p{N}]?\p{L}+
                if (!(cp == '\r' || cp == '\n' || CodepointFlags.isNumber(f))) {
                    if (CodepointFlags.isLetter(f) || CodepointFlags.isLetter(flagsAt(cps, pos + 1, ini, end))) {
                        pos++;
                        while (CodepointFlags.isLetter(flagsAt(cps, pos, ini, end))) {
                            pos++;
                        }
                        out.add(pos - wordStart);
                        continue;
                    }
                }
                // \p{N}{1,3}
                if (CodepointFlags.isNumber(f)) {
                    int groupStart = pos;
                    while (CodepointFlags.isNumber(flagsAt(cps, pos, ini, end))) {
                        pos++;
                        if (pos - groupStart >= 3) {
                            out.add(pos - groupStart);
                            groupStart = pos;
                        }
                    }
                    if (pos > groupStart) {
                        out.add(pos - groupStart);
                    }
                    continue;
                }
                // ' ?[^\s\p{L}\p{N}]+[\r\n]*' (llama.cpp tests the current code point's flags for "defined")
                int f2 = cp == ' ' ? flagsAt(cps, pos + 1, ini, end) : f;
                if ((f2 & WS_L_N) == 0 && f != 0) {
                    if (cp == ' ') {
                        pos++;
                    }
                    while ((f2 & WS_L_N) == 0 && f2 != 0) {
                        f2 = flagsAt(cps, ++pos, ini, end);
                    }
                    int c2 = cpAt(cps, pos, ini, end);
                    while (c2 == '\r' || c2 == '\n') {
                        c2 = cpAt(cps, ++pos, ini, end);
                    }
                    out.add(pos - wordStart);
                    continue;
                }
                int nws = 0;
                int lastLineEnd = 0; // one past the last \r or \n inside the whitespace run
                while (CodepointFlags.isWhitespace(flagsAt(cps, pos + nws, ini, end))) {
                    int c2 = cps[pos + nws];
                    if (c2 == '\r' || c2 == '\n') {
                        lastLineEnd = pos + nws + 1;
                    }
                    nws++;
                }
                if (lastLineEnd > 0) { // \s*[\r\n]+
                    out.add(lastLineEnd - pos);
                    pos = lastLineEnd;
                    continue;
                }
                if (nws > 1 && pos + nws < end) { // \s+(?!\S)
                    out.add(nws - 1);
                    pos += nws - 1;
                    continue;
                }
                if (nws > 0) { // \s+
                    out.add(nws);
                    pos += nws;
                    continue;
                }
                out.add(1);
                pos++;
            }
        }
    }
}
