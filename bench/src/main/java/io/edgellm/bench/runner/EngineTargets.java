package io.edgellm.bench.runner;

import java.io.IOException;
import java.nio.file.Path;

/** Opens models through the engine's Model/Session API as {@link BenchTarget}s. */
public final class EngineTargets {
    private EngineTargets() {
    }

    /**
     * @param model   GGUF file
     * @param threads worker threads
     * @param nCtx    context size (KV-cache positions) to allocate
     */
    public static BenchTarget open(Path model, int threads, int nCtx) throws IOException {
        throw new UnsupportedOperationException("engine not merged yet");
    }
}
