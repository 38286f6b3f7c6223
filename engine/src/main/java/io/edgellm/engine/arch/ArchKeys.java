package io.edgellm.engine.arch;

import io.edgellm.ModelFormatException;
import io.edgellm.quant.gguf.GgufFile;

/**
 * The architecture-specific metadata keys {@code <arch>.<suffix>} an architecture reads for itself
 * ({@code expert_count}, {@code attn_logit_softcapping}, {@code attention.sliding_window}, ...), checked on read:
 * every error names the file and the key.
 */
public final class ArchKeys {
    private final GgufFile file;
    private final String arch;

    /**
     * Keys of one file.
     *
     * @param file the model file
     * @param arch its {@code general.architecture}
     */
    public ArchKeys(GgufFile file, String arch) {
        this.file = file;
        this.arch = arch;
    }

    /**
     * Whether the key is present.
     *
     * @param suffix key without the {@code <arch>.} prefix
     * @return true when the file has it
     */
    public boolean has(String suffix) {
        return file.contains(arch + "." + suffix);
    }

    /**
     * An integer key within bounds.
     *
     * @param suffix key without the {@code <arch>.} prefix
     * @param dflt   value when absent
     * @param min    smallest allowed value
     * @param max    largest allowed value
     * @return the value
     * @throws ModelFormatException when present but not an integer or out of {@code [min, max]}
     */
    public int integer(String suffix, int dflt, int min, int max) throws ModelFormatException {
        String k = arch + "." + suffix;
        if (!file.contains(k)) return dflt;
        long v;
        try {
            v = file.getLong(k);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file.path(), "metadata key '" + k + "' must be an integer: " + e.getMessage());
        }
        if (v < min || v > max) {
            throw new ModelFormatException(file.path(), "metadata key '" + k + "' = " + v + " is out of range [" + min + ", " + max + "]");
        }
        return (int) v;
    }

    /**
     * A finite, non-negative number.
     *
     * @param suffix key without the {@code <arch>.} prefix
     * @param dflt   value when absent
     * @return the value
     * @throws ModelFormatException when present but not a finite number {@code >= 0}
     */
    public float number(String suffix, float dflt) throws ModelFormatException {
        String k = arch + "." + suffix;
        if (!file.contains(k)) return dflt;
        double v;
        try {
            v = file.getDouble(k);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file.path(), "metadata key '" + k + "' must be a number: " + e.getMessage());
        }
        if (!(v >= 0) || Double.isInfinite(v) || v > Float.MAX_VALUE) {
            throw new ModelFormatException(file.path(), "metadata key '" + k + "' = " + v + " must be a finite number >= 0");
        }
        return (float) v;
    }
}
