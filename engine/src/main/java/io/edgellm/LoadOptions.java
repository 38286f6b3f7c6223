package io.edgellm;

/**
 * Settings for {@link Model#load(java.nio.file.Path, LoadOptions)}.
 *
 * @param validateTensorData when true, every tensor is scanned once for NaN/Inf at load time (llama.cpp's
 *                           {@code --check-tensors}): every element of F32/F16/BF16/F64 tensors and the f16/f32 block
 *                           scales of every quantized type ({@link io.edgellm.quant.ggml.TensorDataCheck}), in
 *                           parallel; a bad value fails the load with a {@link ModelFormatException} naming the tensor
 *                           and block. Off by default because it touches every page of the file; its time is
 *                           {@link Model#tensorCheckMillis()}
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
