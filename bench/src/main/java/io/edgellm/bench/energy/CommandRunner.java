package io.edgellm.bench.energy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short external command and returns what it printed: {@code vcgencmd pmic_read_adc},
 * {@code vcgencmd get_throttled}, {@code nvpmodel -q}, a {@code --power-cmd}. Tests substitute canned outputs.
 */
@FunctionalInterface
public interface CommandRunner {

    /**
     * Runs {@code command} and returns its standard output.
     *
     * @param command program and arguments
     * @return standard output (UTF-8)
     * @throws IOException when the program is missing, fails (non-zero exit, with its stderr) or exceeds the timeout
     */
    String run(List<String> command) throws IOException;

    /**
     * The real runner: {@link ProcessBuilder}, killed after {@code timeout}.
     *
     * @param timeout longest a command may take
     * @return the runner
     */
    static CommandRunner system(Duration timeout) {
        return command -> {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            try (InputStream in = p.getInputStream(); InputStream er = p.getErrorStream()) {
                p.getOutputStream().close();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", command) + ": no answer within " + timeout.toMillis() + " ms");
                }
                String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    String e = new String(er.readAllBytes(), StandardCharsets.UTF_8).trim();
                    throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + (e.isEmpty() ? "" : ": " + e));
                }
                return out;
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(String.join(" ", command) + ": interrupted", e);
            }
        };
    }

    /** A runner for which every command is missing (machines and tests without external tools). */
    CommandRunner NONE = command -> {
        throw new IOException(command.get(0) + ": not available");
    };
}
