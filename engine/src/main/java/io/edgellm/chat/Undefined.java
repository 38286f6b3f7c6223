package io.edgellm.chat;

/** jinja2's strict-undefined checks where Hugging Face templates depend on them (see {@link ChatTemplate}). */
final class Undefined {
    private Undefined() {
    }

    static Object unwrapForJson(Object v) {
        return v;
    }

    static void checkNotUndefined(Object v, String op) {
    }
}
