package io.edgellm.engine.arch;

import io.edgellm.ModelFormatException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** Registry of the supported {@code general.architecture} values. */
public final class Architectures {
    private static final List<Architecture> ALL = List.of(
            new Llama(),
            new Qwen2(),
            new Qwen2Moe(),
            new Phi2(),
            new Phi3(),
            new Gemma(),
            new Gemma2());

    private Architectures() {
    }

    /**
     * The implementation for an architecture name.
     *
     * @param name a {@code general.architecture} value
     * @return the implementation, or empty when unsupported
     */
    public static Optional<Architecture> find(String name) {
        return ALL.stream().filter(a -> a.names().contains(name)).findFirst();
    }

    /**
     * The implementation for {@code name}.
     *
     * @param name a {@code general.architecture} value
     * @param file the model file (for the error message)
     * @return the implementation
     * @throws ModelFormatException when unsupported, naming the file and the supported names
     */
    public static Architecture require(String name, Path file) throws ModelFormatException {
        return find(name).orElseThrow(() -> new ModelFormatException(file,
                "unsupported architecture '" + name + "' (general.architecture); supported: " + supported()));
    }

    /**
     * All supported names.
     *
     * @return the names, sorted
     */
    public static TreeSet<String> supported() {
        TreeSet<String> s = new TreeSet<>();
        ALL.forEach(a -> s.addAll(a.names()));
        return s;
    }
}
