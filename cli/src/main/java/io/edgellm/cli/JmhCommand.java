package io.edgellm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code edgellm jmh [JMH options]}: the bench module's JMH kernel benchmarks (org.openjdk.jmh.Main). */
@Command(name = "jmh", description = {"Run the JMH kernel benchmarks (all JMH options pass through, e.g. -l to list, -h for JMH's help)."})
public final class JmhCommand implements Callable<Integer> {
    /** Created by picocli. */
    public JmhCommand() {
    }

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Class<?> main = Class.forName("org.openjdk.jmh.Main");
        main.getMethod("main", String[].class).invoke(null, (Object) args.toArray(new String[0]));
        return 0;
    }
}
