package io.edgellm.engine.arch;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.Network;
import io.edgellm.engine.TensorBinder;
import java.util.List;

/**
 * One model family ({@code general.architecture}): it binds the file's tensors into typed weights
 * ({@code io.edgellm.engine.nn}) and returns a {@link Network} whose {@code forward} says the graph top to bottom in
 * calls to {@link io.edgellm.engine.Forward}'s building blocks. Adding a family = one class implementing this plus one
 * line in {@link Architectures} (see docs/architecture.md).
 */
public interface Architecture {

    /**
     * The {@code general.architecture} values this class handles.
     *
     * @return names, e.g. {@code ["llama"]}
     */
    List<String> names();

    /**
     * Reads this family's own hyperparameters, binds every weight with its expected shape, and returns the network.
     *
     * @param config  the hyperparameters every family has, read from the file
     * @param tensors the file's tensors, with shape checks; {@code tensors.file()} gives the metadata
     * @return the bound network
     * @throws ModelFormatException naming the file and the key/tensor at fault
     */
    Network bind(ModelConfig config, TensorBinder tensors) throws ModelFormatException;
}
