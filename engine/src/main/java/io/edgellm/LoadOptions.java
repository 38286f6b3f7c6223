package io.edgellm;

/**
 * Settings for {@link Model#load(java.nio.file.Path, LoadOptions)}.
 *
 * @param validateTensorData when true, every F32/F16/BF16 weight is scanned once for NaN/Inf at load time
 *                           (llama.cpp's {@code check_tensors}); off by default because it touches every page of the file
 */
public record LoadOptions(boolean validateTensorData) {

    /**
     * Returns no data validation (shapes, types and bounds are always checked).
     *
     * @return no data validation (shapes, types and bounds are always checked)
     */
    public static LoadOptions defaults() {
        return new LoadOptions(false);
    }

    /**
     * A copy with {@code validateTensorData} replaced.
     *
     * @param v the new {@code validateTensorData}
     * @return the modified copy
     */
    public LoadOptions withValidateTensorData(boolean v) {
        return new LoadOptions(v);
    }
}
