package io.edgellm.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} and {@code dict} methods that chat templates call ({@code content.strip()},
 * {@code name.startswith('x')}, {@code text.split('</think>')}, {@code d.items()}, {@code d.get(k, default)}, ...),
 * which Jinjava's Java-bean method lookup does not have or names differently. Anything else is left to the next
 * resolver.
 */
final class PythonMethodResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null || method == null) return null;
        String name = method.toString();
        Object[] p = params == null ? new Object[0] : params;
        Object r;
        if (base instanceof String s) {
            r = stringMethod(s, name, p);
        } else if (base instanceof Map<?, ?> m) {
            r = mapMethod(m, name, p);
        } else {
            return null;
        }
        if (r == NONE) return null;
        context.setPropertyResolved(true);
        return r == NULL ? null : r;
    }

    private static final Object NONE = new Object();
    private static final Object NULL = new Object();

    private static Object stringMethod(String s, String name, Object[] p) {
        return switch (name) {
            case "strip" -> p.length == 0 || p[0] == null ? pyStrip(s, null, true, true) : pyStrip(s, str(p[0]), true, true);
            case "lstrip" -> p.length == 0 || p[0] == null ? pyStrip(s, null, true, false) : pyStrip(s, str(p[0]), true, false);
            case "rstrip" -> p.length == 0 || p[0] == null ? pyStrip(s, null, false, true) : pyStrip(s, str(p[0]), false, true);
            case "startswith" -> p.length == 1 ? anyMatch(p[0], s::startsWith) : NONE;
            case "endswith" -> p.length == 1 ? anyMatch(p[0], s::endsWith) : NONE;
            case "split" -> split(s, p.length > 0 ? p[0] : null, p.length > 1 ? ((Number) p[1]).intValue() : -1);
            case "rsplit" -> rsplit(s, p.length > 0 ? p[0] : null, p.length > 1 ? ((Number) p[1]).intValue() : -1);
            case "upper" -> p.length == 0 ? s.toUpperCase(java.util.Locale.ROOT) : NONE;
            case "lower" -> p.length == 0 ? s.toLowerCase(java.util.Locale.ROOT) : NONE;
            case "title" -> p.length == 0 ? title(s) : NONE;
            case "capitalize" -> p.length == 0 ? (s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + s.substring(1).toLowerCase(java.util.Locale.ROOT)) : NONE;
            case "replace" -> p.length == 2 ? s.replace(str(p[0]), str(p[1])) : p.length == 3 ? replaceN(s, str(p[0]), str(p[1]), ((Number) p[2]).intValue()) : NONE;
            case "find" -> p.length == 1 ? (long) s.indexOf(str(p[0])) : NONE;
            case "rfind" -> p.length == 1 ? (long) s.lastIndexOf(str(p[0])) : NONE;
            case "count" -> p.length == 1 ? count(s, str(p[0])) : NONE;
            case "join" -> p.length == 1 && p[0] instanceof Iterable<?> it ? join(s, it) : NONE;
            case "isspace" -> p.length == 0 ? !s.isEmpty() && s.chars().allMatch(Character::isWhitespace) : NONE;
            case "isdigit" -> p.length == 0 ? !s.isEmpty() && s.chars().allMatch(Character::isDigit) : NONE;
            default -> NONE;
        };
    }

    private static Object mapMethod(Map<?, ?> m, String name, Object[] p) {
        return switch (name) {
            case "items" -> {
                if (p.length != 0) yield NONE;
                List<Object> out = new ArrayList<>();
                for (Map.Entry<?, ?> e : m.entrySet()) out.add(new ArrayList<>(java.util.Arrays.asList(e.getKey(), e.getValue())));
                yield out;
            }
            case "keys" -> p.length == 0 ? new ArrayList<>(m.keySet()) : NONE;
            case "values" -> p.length == 0 ? new ArrayList<>(m.values()) : NONE;
            case "get" -> {
                if (p.length == 1) yield m.containsKey(p[0]) ? nul(m.get(p[0])) : NULL;
                if (p.length == 2) yield m.containsKey(p[0]) ? nul(m.get(p[0])) : nul(p[1]);
                yield NONE;
            }
            default -> NONE;
        };
    }

    private static Object nul(Object o) {
        return o == null ? NULL : o;
    }

    private static String str(Object o) {
        return String.valueOf(o);
    }

    private static boolean anyMatch(Object arg, java.util.function.Predicate<String> test) {
        if (arg instanceof Collection<?> c) {
            for (Object o : c) if (test.test(str(o))) return true;
            return false;
        }
        return test.test(str(arg));
    }

    /** Python's str.isspace() characters (close to Character.isWhitespace plus the no-break spaces). */
    private static boolean pySpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u001c' || c == '\u001d'
                || c == '\u001e' || c == '\u001f' || c == '\u0085';
    }

    static String pyStrip(String s, String chars, boolean left, boolean right) {
        int a = 0, b = s.length();
        if (left) while (a < b && (chars == null ? pySpace(s.charAt(a)) : chars.indexOf(s.charAt(a)) >= 0)) a++;
        if (right) while (b > a && (chars == null ? pySpace(s.charAt(b - 1)) : chars.indexOf(s.charAt(b - 1)) >= 0)) b--;
        return s.substring(a, b);
    }

    private static List<Object> split(String s, Object sepArg, int max) {
        List<Object> out = new ArrayList<>();
        if (sepArg == null) {
            int i = 0, n = s.length();
            while (true) {
                while (i < n && pySpace(s.charAt(i))) i++;
                if (i >= n) break;
                if (max >= 0 && out.size() == max) {
                    out.add(pyStrip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !pySpace(s.charAt(j))) j++;
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        String sep = str(sepArg);
        if (sep.isEmpty()) throw new IllegalArgumentException("empty separator");
        int i = 0;
        while (true) {
            int j = (max >= 0 && out.size() == max) ? -1 : s.indexOf(sep, i);
            if (j < 0) {
                out.add(s.substring(i));
                return out;
            }
            out.add(s.substring(i, j));
            i = j + sep.length();
        }
    }

    private static List<Object> rsplit(String s, Object sepArg, int max) {
        if (sepArg == null || max < 0) return split(s, sepArg, max);
        String sep = str(sepArg);
        List<Object> out = new ArrayList<>();
        int end = s.length();
        while (out.size() < max) {
            int j = s.lastIndexOf(sep, end - sep.length());
            if (j < 0) break;
            out.addFirst(s.substring(j + sep.length(), end));
            end = j;
        }
        out.addFirst(s.substring(0, end));
        return out;
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return sb.toString();
    }

    private static String replaceN(String s, String a, String b, int n) {
        if (n < 0) return s.replace(a, b);
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (int k = 0; k < n; k++) {
            int j = s.indexOf(a, i);
            if (j < 0) break;
            sb.append(s, i, j).append(b);
            i = j + a.length();
        }
        return sb.append(s.substring(i)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1;
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
        return n;
    }

    private static String join(String sep, Iterable<?> it) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object o : it) {
            if (!first) sb.append(sep);
            first = false;
            sb.append(o);
        }
        return sb.toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
