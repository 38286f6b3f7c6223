package io.edgellm.engine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A one-line progress display on stderr for long commands: {@code quantize: 57/201 tensors, 412.3/1290.0 MB, 31.4 s}.
 * On a terminal the line is redrawn in place (carriage return) at most every 100 ms; otherwise (a log file, a pipe)
 * a full line is printed at most every 10 s, so logs stay short. {@link #finish()} prints the final state and ends
 * the line.
 */
public final class ProgressLine implements Progress {

    private static final long TERMINAL_INTERVAL_NS = 100_000_000L;
    private static final long LOG_INTERVAL_NS = 10_000_000_000L;

    private final PrintWriter out;
    private final String label;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastPrint;
    private int width;
    private int tensorsDone;
    private int tensorsTotal;
    private long bytesDone;
    private long bytesTotal;

    /**
     * Creates a progress line.
     *
     * @param out      where to print (stderr)
     * @param label    the command, printed first
     * @param terminal true: redraw in place with {@code \r}; false: print whole lines now and then
     */
    public ProgressLine(PrintWriter out, String label, boolean terminal) {
        this.out = out;
        this.label = label;
        this.terminal = terminal;
        this.lastPrint = start;
    }

    /**
     * Whether this process's stderr is a terminal. On Linux it reads the link {@code /proc/self/fd/2} (a
     * {@code /dev/pts/N} or {@code /dev/ttyN}); elsewhere it falls back to {@link java.io.Console#isTerminal()}
     * (which looks at stdin and stdout).
     *
     * @return true when stderr is (most likely) a terminal
     */
    public static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        try {
            if (Files.isSymbolicLink(fd2)) {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            // fall through to the Console check
        }
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    @Override
    public synchronized void update(int tensorsDone, int tensorsTotal, long bytesDone, long bytesTotal) {
        this.tensorsDone = tensorsDone;
        this.tensorsTotal = tensorsTotal;
        this.bytesDone = bytesDone;
        this.bytesTotal = bytesTotal;
        long now = System.nanoTime();
        if (now - lastPrint >= (terminal ? TERMINAL_INTERVAL_NS : LOG_INTERVAL_NS)) {
            lastPrint = now;
            print(false);
        }
    }

    /**
     * Prints a message line without breaking the progress display: on a terminal the progress line is cleared,
     * the message printed, and the progress line redrawn below it.
     *
     * @param message one line of text
     */
    public synchronized void println(String message) {
        if (terminal && width > 0) {
            out.print("\r" + " ".repeat(width) + "\r");
            out.println(message);
            width = 0;
            print(false);
        } else {
            out.println(message);
            out.flush();
        }
    }

    /** Prints the last state reported and ends the line. */
    public synchronized void finish() {
        print(true);
    }

    /**
     * Returns the text of the line for the last state reported.
     *
     * @return e.g. {@code quantize: 57/201 tensors, 412.3/1290.0 MB, 31.4 s}
     */
    public synchronized String text() {
        return String.format(Locale.ROOT, "%s: %d/%d tensors, %.1f/%.1f MB, %.1f s", label, tensorsDone, tensorsTotal,
                bytesDone / 1e6, bytesTotal / 1e6, (System.nanoTime() - start) / 1e9);
    }

    private void print(boolean last) {
        String s = text();
        if (terminal) {
            int pad = Math.max(0, width - s.length());
            width = s.length();
            out.print("\r" + s + " ".repeat(pad) + (last ? System.lineSeparator() : ""));
        } else {
            out.println(s);
        }
        out.flush();
    }
}
