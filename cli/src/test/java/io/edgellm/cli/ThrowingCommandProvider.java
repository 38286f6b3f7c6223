package io.edgellm.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Test-only extension (registered in the test class path's {@code META-INF/services}): {@code edgellm test-throw KIND}
 * throws an Error of the given kind from inside a command, as a real allocation or a mapped-memory fault would.
 */
public final class ThrowingCommandProvider implements CliCommandProvider {

    @Override
    public List<Object> commands() {
        return List.of(new Throw());
    }

    @Command(name = "test-throw", hidden = true)
    static final class Throw implements Callable<Integer> {
        @Parameters(index = "0")
        String kind;

        @Override
        public Integer call() {
            switch (kind) {
                case "oom" -> throw new OutOfMemoryError("Java heap space");
                case "oom-kv" -> throw new OutOfMemoryError("KV cache of n_ctx 20000000 (f32, 24 GiB): Java heap space");
                case "fault" -> throw new InternalError("a fault occurred in an unsafe memory access operation");
                case "stack" -> throw new StackOverflowError();
                case "worker" -> {                     // an Error thrown in a pool worker and rethrown to the caller
                    try (io.edgellm.quant.kernel.Parallel p = io.edgellm.quant.kernel.Parallel.create(2)) {
                        p.forRange(2, (s, e, w) -> {
                            if (w == 1) {
                                throw new InternalError("a fault occurred in an unsafe memory access operation");
                            }
                        });
                    }
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown kind " + kind);
            }
        }
    }
}
