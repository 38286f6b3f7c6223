package io.edgellm.chat;

import com.hubspot.jinjava.util.HasObjectTruthValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code None} inside templates. Jinjava uses Java {@code null} both for "undefined" and for {@code None};
 * jinja2 tells them apart ({@code message.content is not none} is <em>true</em> when {@code content} is missing, and
 * {@code tools is defined} is true when {@code tools=None} was passed). So explicit nulls (JSON {@code null},
 * {@code tools=None}, the literal {@code none}) become this object, and Java {@code null} means undefined. It is
 * falsy and prints as {@code None}, like Python's.
 */
final class PyNone implements HasObjectTruthValue {
    static final PyNone INSTANCE = new PyNone();
    /** The variable name the literal {@code none} / {@code None} is rewritten to. */
    static final String VARIABLE = "__edgellm_none__";

    private PyNone() {
    }

    @Override
    public boolean getObjectTruthValue() {
        return false;
    }

    @Override
    public String toString() {
        return "None";
    }

    /**
     * Deep copy of a JSON-like value with every null turned into {@link #INSTANCE}.
     *
     * @param v a value
     * @return the converted value
     */
    static Object wrap(Object v) {
        if (v == null) return INSTANCE;
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, wrap(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) out.add(wrap(x));
            return out;
        }
        return v;
    }
}
