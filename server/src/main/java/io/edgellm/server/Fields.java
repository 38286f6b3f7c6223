package io.edgellm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of request fields; a field of the wrong type or out of range is a 400 naming the field. Absent and
 * JSON {@code null} fields read as "not given".
 */
final class Fields {
    private Fields() {
    }

    static JsonNode get(ObjectNode body, String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    static boolean has(ObjectNode body, String name) {
        return get(body, name) != null;
    }

    static String string(ObjectNode body, String name, String dflt) {
        JsonNode n = get(body, name);
        if (n == null) return dflt;
        if (!n.isTextual()) throw wrongType(name, "a string", n);
        return n.textValue();
    }

    static boolean bool(ObjectNode body, String name, boolean dflt) {
        JsonNode n = get(body, name);
        if (n == null) return dflt;
        if (!n.isBoolean()) throw wrongType(name, "a boolean", n);
        return n.booleanValue();
    }

    static double number(ObjectNode body, String name, double dflt, double min, double max) {
        JsonNode n = get(body, name);
        if (n == null) return dflt;
        if (!n.isNumber()) throw wrongType(name, "a number", n);
        double v = n.doubleValue();
        if (!Double.isFinite(v) || v < min || v > max) {
            throw ApiException.badRequest(name, "'" + name + "' must be in [" + fmt(min) + ", " + fmt(max) + "], got " + n);
        }
        return v;
    }

    static long integer(ObjectNode body, String name, long dflt, long min, long max) {
        JsonNode n = get(body, name);
        if (n == null) return dflt;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw wrongType(name, "an integer", n);
        long v = n.longValue();
        if (v < min || v > max) {
            throw ApiException.badRequest(name, "'" + name + "' must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    /** A string or an array of strings (OpenAI's {@code stop}). */
    static List<String> strings(ObjectNode body, String name, int maxCount) {
        JsonNode n = get(body, name);
        List<String> out = new ArrayList<>();
        if (n == null) return out;
        if (n.isTextual()) {
            out.add(n.textValue());
            return out;
        }
        if (!n.isArray()) throw wrongType(name, "a string or an array of strings", n);
        if (n.size() > maxCount) {
            throw ApiException.badRequest(name, "'" + name + "' has " + n.size() + " entries, at most " + maxCount + " are allowed");
        }
        for (JsonNode e : n) {
            if (!e.isTextual()) throw wrongType(name, "a string or an array of strings", n);
            out.add(e.textValue());
        }
        return out;
    }

    static ApiException wrongType(String name, String expected, JsonNode got) {
        return ApiException.badRequest(name, "'" + name + "' must be " + expected + ", got " + kind(got));
    }

    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL, MISSING -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
