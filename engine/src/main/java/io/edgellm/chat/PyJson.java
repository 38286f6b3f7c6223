package io.edgellm.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as Hugging Face's {@code tojson} filter calls it: {@code ensure_ascii=False} by default,
 * separators {@code ", "} and {@code ": "} ({@code ","} and {@code ": "} with an indent), keys in insertion order
 * unless {@code sort_keys}, floats as Python's {@code repr}, {@code <>&'} not escaped.
 */
final class PyJson {
    private PyJson() {
    }

    /**
     * Serializes a JSON-like value.
     *
     * @param v           String, Number, Boolean, null, Map, Collection (or array)
     * @param ensureAscii escape non-ASCII as {@code \\uXXXX}
     * @param indent      null for one line, else the indent string per level
     * @param itemSep     separator between items
     * @param keySep      separator between key and value
     * @param sortKeys    sort object keys
     * @return the JSON text
     * @throws IllegalArgumentException when a value is not JSON-serializable (Python's TypeError)
     */
    static String dumps(Object v, boolean ensureAscii, String indent, String itemSep, String keySep, boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, ensureAscii, indent, itemSep, keySep, sortKeys).write(v, 0);
        return sb.toString();
    }

    private record Writer(StringBuilder sb, boolean ascii, String indent, String itemSep, String keySep, boolean sort) {
        void write(Object v, int level) {
            v = Undefined.unwrapForJson(v);
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Boolean b) {
                sb.append(b ? "true" : "false");
            } else if (v instanceof CharSequence s) {
                string(s.toString());
            } else if (v instanceof Double || v instanceof Float) {
                sb.append(floatRepr(((Number) v).doubleValue()));
            } else if (v instanceof BigDecimal d) {
                sb.append(floatRepr(d.doubleValue()));
            } else if (v instanceof Number n) {
                sb.append(n instanceof BigInteger bi ? bi.toString() : Long.toString(n.longValue()));
            } else if (v instanceof Map<?, ?> m) {
                object(m, level);
            } else if (v instanceof Collection<?> c) {
                array(new ArrayList<>(c), level);
            } else if (v instanceof Object[] a) {
                array(List.of(a), level);
            } else if (v instanceof Map.Entry<?, ?> e) {
                array(java.util.Arrays.asList(e.getKey(), e.getValue()), level);
            } else {
                throw new IllegalArgumentException("Object of type " + v.getClass().getSimpleName()
                        + " is not JSON serializable");
            }
        }

        private void object(Map<?, ?> m, int level) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (sort) entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                if (!first) sb.append(itemSep);
                first = false;
                newline(level + 1);
                Object k = e.getKey();
                string(k instanceof String s ? s : k == null ? "null" : keyText(k));
                sb.append(keySep);
                write(e.getValue(), level + 1);
            }
            newline(level);
            sb.append('}');
        }

        private String keyText(Object k) {
            if (k instanceof Boolean b) return b ? "true" : "false";
            if (k instanceof Double || k instanceof Float) return floatRepr(((Number) k).doubleValue());
            return k.toString();
        }

        private void array(List<?> a, int level) {
            if (a.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < a.size(); i++) {
                if (i > 0) sb.append(itemSep);
                newline(level + 1);
                write(a.get(i), level + 1);
            }
            newline(level);
            sb.append(']');
        }

        private void newline(int level) {
            if (indent == null) return;
            sb.append('\n');
            for (int i = 0; i < level; i++) sb.append(indent);
        }

        private void string(String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    default -> {
                        if (c < 0x20 || (ascii && c > 0x7e)) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }

    /**
     * Python's {@code repr(float)} as {@code json.dumps} writes it: shortest round-trip digits, scientific notation
     * ({@code 1e-05}, {@code 1e+16}) when the exponent is below -4 or at least 16, {@code NaN}/{@code Infinity}.
     *
     * @param d the value
     * @return the text
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = bd.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - bd.scale();   // decimal exponent of the first digit
        String sign = d < 0 ? "-" : "";
        if (exp < -4 || exp >= 16) {
            String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        if (exp >= digits.length() - 1) {
            return sign + digits + "0".repeat(exp - digits.length() + 1) + ".0";
        }
        if (exp >= 0) {
            return sign + digits.substring(0, exp + 1) + "." + digits.substring(exp + 1);
        }
        return sign + "0." + "0".repeat(-exp - 1) + digits;
    }

    /** The {@code tojson} filter: {@code x | tojson(indent=None, separators=None, sort_keys=False, ensure_ascii=False)}. */
    static final class TojsonFilter implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indentArg = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
            String indent = null;
            if (indentArg instanceof Number n) {
                indent = " ".repeat(Math.max(0, n.intValue()));
            } else if (indentArg instanceof String s) {
                indent = s;
            }
            String itemSep = indent == null ? ", " : ",";
            String keySep = ": ";
            Object seps = kwargs.get("separators");
            if (seps instanceof List<?> l && l.size() == 2) {
                itemSep = String.valueOf(l.get(0));
                keySep = String.valueOf(l.get(1));
            }
            boolean sortKeys = truthy(kwargs.get("sort_keys"));
            boolean ensureAscii = truthy(kwargs.get("ensure_ascii"));
            Undefined.checkNotUndefined(var, "tojson");
            return dumps(var, ensureAscii, indent, itemSep, keySep, sortKeys);
        }

        private static boolean truthy(Object o) {
            return o instanceof Boolean b ? b : o != null && !"false".equalsIgnoreCase(o.toString()) && !"".equals(o);
        }
    }
}
