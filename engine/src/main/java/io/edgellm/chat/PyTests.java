package io.edgellm.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.filter.LengthFilter;
import java.util.Collection;
import java.util.Map;

/** jinja2's tests and filters where Jinjava's differ in ways chat templates see. */
final class PyTests {
    private PyTests() {
    }

    private record Test(String name, java.util.function.Predicate<Object> p) implements ExpTest {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return p.test(var);
        }
    }

    /** {@code none}: only Python's None (a missing field is undefined, not None). */
    static final ExpTest NONE = new Test("none", v -> v == PyNone.INSTANCE);
    /** {@code defined}: anything but a missing value (None is defined). */
    static final ExpTest DEFINED = new Test("defined", v -> v != null);
    /** {@code undefined}. */
    static final ExpTest UNDEFINED = new Test("undefined", v -> v == null);
    /** {@code iterable}: strings too, as in Python. */
    static final ExpTest ITERABLE = new Test("iterable", v -> v instanceof CharSequence || v instanceof Collection
            || v instanceof Map || (v != null && v.getClass().isArray()));
    /** {@code mapping}. */
    static final ExpTest MAPPING = new Test("mapping", v -> v instanceof Map);
    /** {@code string}. */
    static final ExpTest STRING = new Test("string", v -> v instanceof CharSequence);

    /** {@code length} / {@code count}: a string's length in code points (Python's {@code len}). */
    static final class Length implements Filter {
        private final String name;
        private final LengthFilter base = new LengthFilter();

        Length(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var instanceof CharSequence s) return (long) s.toString().codePointCount(0, s.length());
            if (var == PyNone.INSTANCE) throw new IllegalArgumentException("object of type 'NoneType' has no len()");
            return base.filter(var, interpreter, args);
        }
    }
}
