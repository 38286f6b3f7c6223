package io.edgellm.engine.arch;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.ModelWeights;
import io.edgellm.engine.Rope;
import io.edgellm.engine.TensorBinder;
import java.util.List;

/**
 * One model family ({@code general.architecture}): which tensors it has and how the shared decoder forward pass
 * ({@link io.edgellm.engine.Transformer}) treats them. Adding a family (qwen2, phi3, gemma, ...) = one class
 * implementing this, registered in {@link Architectures}.
 */
public interface Architecture {

    /**
     * The {@code general.architecture} values this class handles.
     *
     * @return names, e.g. {@code ["llama"]}
     */
    List<String> names();

    /**
     * RoPE pairing of this family.
     *
     * @return {@link Rope.Mode#NORM} for llama (GGUF q/k weights are pre-permuted), NEOX for qwen2/phi3/gemma
     */
    Rope.Mode ropeMode();

    /**
     * Checks the config for what this family supports and binds every weight with its expected shape.
     *
     * @param config  hyperparameters read from the file
     * @param tensors the file's tensors, with shape checks
     * @return the bound weights
     * @throws ModelFormatException naming the file and the key/tensor at fault
     */
    ModelWeights bind(ModelConfig config, TensorBinder tensors) throws ModelFormatException;
}
