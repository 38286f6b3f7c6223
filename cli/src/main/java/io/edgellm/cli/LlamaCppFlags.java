package io.edgellm.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * llama.cpp flags that mean nothing on this CPU engine, accepted so that llama.cpp command lines run unchanged:
 * {@code -ngl}, {@code --mlock}, {@code --no-mmap}, {@code -fa}. Each given one is reported once on stderr.
 */
public final class LlamaCppFlags {
    /** Created by picocli. */
    public LlamaCppFlags() {
    }

    @Option(names = {"-ngl", "--gpu-layers", "--n-gpu-layers"}, paramLabel = "N",
            description = "llama.cpp: layers to offload to the GPU (ignored: CPU engine)")
    Integer gpuLayers;

    @Option(names = "--mlock", description = "llama.cpp: lock the model in RAM (ignored)")
    boolean mlock;

    @Option(names = "--no-mmap", description = "llama.cpp: read the model instead of mapping it (ignored: always mapped)")
    boolean noMmap;

    @Option(names = {"-fa", "--flash-attn"}, arity = "0..1", paramLabel = "on|off|auto",
            description = "llama.cpp: flash attention (ignored)")
    String flashAttn;

    void warn(PrintWriter err) {
        StringBuilder sb = new StringBuilder();
        if (gpuLayers != null) sb.append(" -ngl");
        if (mlock) sb.append(" --mlock");
        if (noMmap) sb.append(" --no-mmap");
        if (flashAttn != null) sb.append(" -fa");
        if (!sb.isEmpty()) err.println("edgellm: ignoring" + sb + " (no effect on this CPU engine)");
    }

    /**
     * llama.cpp's {@code -e} processing of a prompt: {@code \n \r \t \' \" \\ \a \b \f \v \xHH}; other backslashes
     * are kept.
     *
     * @param s the text as typed
     * @return the text with escapes replaced
     */
    static String processEscapes(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char d = s.charAt(++i);
            switch (d) {
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case '\'' -> sb.append('\'');
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000b');
                case 'x' -> {
                    if (hex(s, i + 1) >= 0 && hex(s, i + 2) >= 0) {
                        sb.append((char) (hex(s, i + 1) * 16 + hex(s, i + 2)));
                        i += 2;
                    } else {
                        sb.append("\\x");
                    }
                }
                default -> sb.append('\\').append(d);
            }
        }
        return sb.toString();
    }

    private static int hex(String s, int i) {
        return i < s.length() ? Character.digit(s.charAt(i), 16) : -1;
    }
}
