package io.edgellm.quant.gguf;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;

/**
 * A GGUF metadata array value (type 9 = ARRAY in ggml/docs/gguf.md): {@code u32 element type, u64 count, count elements}.
 *
 * @param elementType the GGUF type of every element (ARRAY for nested arrays)
 * @param values      a Java array holding the elements, of the class {@link GgufValueType} documents for
 *                    {@code elementType}: {@code int[]} (UINT8, INT8, UINT16, INT16, INT32), {@code long[]} (UINT32,
 *                    INT64, UINT64), {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]},
 *                    {@code GgufArray[]}. The array is shared, not copied: do not modify it. The constructor throws
 *                    {@link IllegalArgumentException} if it is not an array of the class that matches {@code elementType}.
 */
public record GgufArray(GgufValueType elementType, Object values) {

    /**
     * Checks that the Java array class matches the element type.
     *
     * @throws IllegalArgumentException if {@code values} is not an array of {@link #javaArrayClass(GgufValueType)}
     */
    public GgufArray {
        Objects.requireNonNull(elementType, "elementType");
        Objects.requireNonNull(values, "values");
        Class<?> expected = javaArrayClass(elementType);
        if (values.getClass() != expected) {
            throw new IllegalArgumentException("GGUF array of " + elementType + " needs a " + expected.getSimpleName()
                    + ", got " + values.getClass().getSimpleName());
        }
    }

    /**
     * The Java array class holding the elements of a GGUF array of the given element type.
     *
     * @param elementType a GGUF value type
     * @return the Java array class used for arrays of that type
     */
    public static Class<?> javaArrayClass(GgufValueType elementType) {
        return switch (elementType) {
            case UINT8, INT8, UINT16, INT16, INT32 -> int[].class;
            case UINT32, INT64, UINT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
    }

    /**
     * The element count (the u64 count of the encoded array).
     *
     * @return the number of elements
     */
    public int length() {
        return Array.getLength(values);
    }

    /** Element-wise equality (nested arrays compared deeply). */
    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray other && elementType == other.elementType
                && Objects.deepEquals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {values});
    }

    /** A short description: element type, length and the first few elements. */
    @Override
    public String toString() {
        int n = length();
        StringBuilder sb = new StringBuilder("GgufArray[").append(elementType).append(" x ").append(n).append(": ");
        for (int i = 0; i < Math.min(n, 8); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(Array.get(values, i));
        }
        return sb.append(n > 8 ? ", ...]" : "]").toString();
    }
}
