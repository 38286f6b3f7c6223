package io.edgellm.bench.runner;

import java.io.IOException;
import java.nio.file.Path;

/** Placeholder until the engine lands: opens models through the engine's Model/Session API. */
final class EngineTarget {
    private EngineTarget() {
    }

    static BenchTarget open(Path model, int threads, int nCtx) throws IOException {
        throw new UnsupportedOperationException("engine not merged yet");
    }
}
