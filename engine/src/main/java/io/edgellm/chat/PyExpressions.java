package io.edgellm.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.AdditionOperator;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.misc.NumberOperations;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.tree.TreeBuilder;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ExpressionFactory;

/**
 * Jinjava with Python's {@code +}: numbers add, strings concatenate with strings, lists with lists; anything else
 * (a missing field, {@code None}, a dict, a number next to a string) raises, as jinja2 raises
 * {@code UndefinedError} / {@code TypeError}. Jinjava's own {@code +} would print {@code "null"} or a map's
 * {@code toString()} into the prompt.
 */
final class PyExpressions {
    private PyExpressions() {
    }

    /** A Jinjava whose expression parser uses {@link PyAdd} for {@code +}. */
    static final class PyJinjava extends Jinjava {
        private final ExpressionFactory factory;

        PyJinjava(JinjavaConfig config) {
            super(config);
            Properties p = new Properties();
            p.setProperty(TreeBuilder.class.getName(), PyTreeBuilder.class.getName());
            factory = new ExpressionFactoryImpl(p, new TruthyTypeConverter());
        }

        @Override
        public ExpressionFactory getExpressionFactory() {
            return factory;
        }
    }

    /** Tree builder whose parser swaps Jinjava's addition for {@link PyAdd}. Public for reflective creation. */
    public static final class PyTreeBuilder extends ExtendedSyntaxBuilder {
        private static final long serialVersionUID = 1L;

        /** Used by the expression factory. */
        public PyTreeBuilder() {
            super();
        }

        /**
         * Used by the expression factory.
         *
         * @param features parser features
         */
        public PyTreeBuilder(Builder.Feature... features) {
            super(features);
        }

        @Override
        protected Parser createParser(String expression) {
            return new ExtendedParser(this, expression) {
                @Override
                protected AstBinary createAstBinary(AstNode left, AstNode right, AstBinary.Operator operator) {
                    return super.createAstBinary(left, right, operator == AdditionOperator.OP ? PyAdd.OP : operator);
                }
            };
        }
    }

    /** Python's binary {@code +}. */
    static final class PyAdd extends AstBinary.SimpleOperator {
        static final PyAdd OP = new PyAdd();

        @Override
        @SuppressWarnings("unchecked")
        protected Object apply(TypeConverter converter, Object a, Object b) {
            if (a instanceof CharSequence x && b instanceof CharSequence y) return x.toString() + y;
            if (a instanceof Number && b instanceof Number && !(a instanceof Boolean)) {
                return NumberOperations.add(converter, a, b);
            }
            if (a instanceof List<?> x && b instanceof List<?> y) {
                List<Object> r = new ArrayList<>((Collection<Object>) x);
                r.addAll(y);
                return r;
            }
            String msg;
            if (a == null || b == null) {
                msg = "an undefined value or None is an operand of '+' (jinja2: UndefinedError / TypeError)";
            } else {
                msg = "unsupported operand types for +: '" + pyType(a) + "' and '" + pyType(b) + "'";
            }
            ChatTemplate.RenderState st = ChatTemplate.state();
            if (st != null && st.failure == null) st.failure = msg;
            throw new IllegalArgumentException(msg);
        }

        @Override
        public String toString() {
            return "+";
        }
    }

    /** Interpreters that print values as Python's {@code str()}: {@code True}/{@code False}, {@code None}. */
    static final class PyInterpreterFactory implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new PyInterpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig renderConfig) {
            return new PyInterpreter(application, context, renderConfig);
        }
    }

    private static final class PyInterpreter extends JinjavaInterpreter {
        PyInterpreter(JinjavaInterpreter orig) {
            super(orig);
        }

        PyInterpreter(Jinjava application, Context context, JinjavaConfig config) {
            super(application, context, config);
        }

        @Override
        public String getAsString(Object object) {
            if (object instanceof Boolean b) return b ? "True" : "False";
            if (object instanceof Double || object instanceof Float) {
                return PyJson.floatRepr(((Number) object).doubleValue());
            }
            return super.getAsString(object);
        }
    }

    static String pyType(Object o) {
        if (o == null) return "NoneType";
        if (o instanceof CharSequence) return "str";
        if (o instanceof Boolean) return "bool";
        if (o instanceof Double || o instanceof Float) return "float";
        if (o instanceof Number) return "int";
        if (o instanceof Map) return "dict";
        if (o instanceof List) return "list";
        return o.getClass().getSimpleName();
    }
}
