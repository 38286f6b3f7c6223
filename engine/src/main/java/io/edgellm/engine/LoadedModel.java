package io.edgellm.engine;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.arch.Architecture;
import io.edgellm.engine.arch.Architectures;
import io.edgellm.quant.gguf.GgufFile;

/**
 * A GGUF file turned into a runnable network: config, architecture, bound weights and the forward pass. The
 * tokenizer is not part of it (see {@link GgufVocabulary}).
 *
 * @param file         the open GGUF mapping the weights point into (owned by the caller)
 * @param config       hyperparameters
 * @param architecture the family implementation
 * @param transformer  the forward pass over the weights
 */
public record LoadedModel(GgufFile file, ModelConfig config, Architecture architecture, Transformer transformer) {

    /**
     * Reads the hyperparameters, picks the architecture and binds and checks every tensor.
     *
     * @param file an open GGUF model file (must stay open while the result is used)
     * @return the runnable network
     * @throws ModelFormatException naming the file and the key or tensor at fault
     */
    public static LoadedModel of(GgufFile file) throws ModelFormatException {
        String archName = HyperParams.architecture(file);
        Architecture arch = Architectures.require(archName, file.path());
        ModelConfig config = HyperParams.read(file);
        Network net = arch.bind(config, new TensorBinder(file));
        return new LoadedModel(file, config, arch, new Transformer(config, net));
    }
}
