package io.edgellm.chat;

/** jinja2's strict-undefined checks where Hugging Face templates depend on them (see {@link ChatTemplate}). */
final class Undefined {
    private Undefined() {
    }

    static Object unwrapForJson(Object v) {
        return v == PyNone.INSTANCE ? null : v;
    }

    static void checkNotUndefined(Object v, String op) {
        if (v == null) {
            String msg = "an undefined value was passed to " + op + " (jinja2: UndefinedError)";
            ChatTemplate.RenderState st = ChatTemplate.state();
            if (st != null && st.failure == null) st.failure = msg;
            throw new IllegalArgumentException(msg);
        }
    }
}
