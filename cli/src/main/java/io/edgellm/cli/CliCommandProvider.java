package io.edgellm.cli;

import java.util.List;

/**
 * Extension point of the {@code edgellm} command line: other modules add subcommands by implementing this and listing
 * the class in {@code META-INF/services/io.edgellm.cli.CliCommandProvider} ({@link java.util.ServiceLoader}).
 */
public interface CliCommandProvider {
    /**
     * Subcommands to add.
     *
     * @return picocli {@code @Command}-annotated objects (Runnable or Callable)
     */
    List<Object> commands();
}
