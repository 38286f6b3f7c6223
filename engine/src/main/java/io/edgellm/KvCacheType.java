package io.edgellm;

/**
 * Element type of the key/value cache. {@link #F32} matches llama.cpp's {@code -ctk f32 -ctv f32} (the golden
 * {@code f32attn} configuration); {@link #F16} halves the memory (llama.cpp's default cache type), rounding each
 * stored K/V element to IEEE half precision (round to nearest even).
 */
public enum KvCacheType {
    /** 4 bytes per element. */
    F32(4),
    /** 2 bytes per element (IEEE binary16). */
    F16(2);

    private final int bytes;

    KvCacheType(int bytes) {
        this.bytes = bytes;
    }

    /**
     * Returns bytes per cached element.
     *
     * @return bytes per cached element
     */
    public int bytesPerElement() {
        return bytes;
    }
}
