package io.edgellm.bench.energy;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An external meter ({@code bench --power-cmd CMD}): a shell command that prints the current power in watts (a USB-C
 * meter's CLI, a lab supply's SCPI query, a script). The first number in its output is taken; it is sampled like a
 * power rail, so choose {@code --power-interval} no shorter than the command takes.
 */
public final class CommandPowerMeter implements PowerMeter {
    private static final Pattern NUMBER = Pattern.compile("[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?");

    private final String command;
    private final CommandRunner runner;

    /**
     * @param command a shell command ({@code sh -c})
     * @param runner  runs it
     */
    public CommandPowerMeter(String command, CommandRunner runner) {
        this.command = command;
        this.runner = runner;
    }

    /**
     * The first number in {@code out}.
     *
     * @param out the command's output
     * @return watts
     * @throws IOException when the output has no number
     */
    static double parseWatts(String out) throws IOException {
        Matcher m = NUMBER.matcher(out);
        if (!m.find()) {
            throw new IOException("power command printed no number: '" + out.strip() + "'");
        }
        return Double.parseDouble(m.group());
    }

    @Override
    public String description() {
        return "external meter (--power-cmd " + command + ")";
    }

    @Override
    public List<Rail> rails() {
        return List.of(Rail.power("power-cmd", command));
    }

    @Override
    public int[] totalRails() {
        return new int[] {0};
    }

    @Override
    public String totalNote() {
        return "what the command measures (an external meter: the wall or USB-C input)";
    }

    @Override
    public double read(int index) throws IOException {
        double w = parseWatts(runner.run(List.of("sh", "-c", command)));
        if (!Double.isFinite(w) || w < 0) throw new IOException("power command printed " + w + " W");
        return w;
    }
}
