package io.edgellm.bench;

import io.edgellm.bench.runner.BenchCommand;
import io.edgellm.bench.synth.SynthCommand;
import io.edgellm.cli.CliCommandProvider;

import java.util.List;

/**
 * Adds {@code edgellm bench} and {@code edgellm synth} to the engine's command line (registered in
 * {@code META-INF/services/io.edgellm.cli.CliCommandProvider}).
 */
public final class BenchCliCommands implements CliCommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new BenchCommand(), new SynthCommand());
    }
}
