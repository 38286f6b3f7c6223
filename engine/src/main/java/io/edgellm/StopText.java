package io.edgellm;

import java.util.List;

/**
 * Generated text with stop-string detection: text that could still become a stop string is held back, the rest
 * is released to the listener. Shared by {@link Session} and {@link BatchEngine}; one instance per sequence.
 */
final class StopText {
    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    private int released;
    private boolean stopped;

    StopText(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds decoded text; returns what can be released now. */
    String append(String piece) {
        text.append(piece);
        int cut = -1;
        for (String s : stops) {
            int i = text.indexOf(s, Math.max(0, released - s.length()));
            if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        if (cut >= 0) {
            stopped = true;
            text.setLength(cut);
            return release(cut);
        }
        return release(text.length() - heldBack());
    }

    /** End of generation: releases everything still held. */
    String finish(String tail) {
        text.append(tail);
        return release(text.length());
    }

    boolean stopped() {
        return stopped;
    }

    String text() {
        return text.toString();
    }

    private String release(int upTo) {
        if (upTo <= released) return "";
        String r = text.substring(released, upTo);
        released = upTo;
        return r;
    }

    /** Length of the longest suffix of the text that is a proper prefix of some stop string. */
    private int heldBack() {
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length() - released); k > hold; k--) {
                if (text.length() - k >= 0 && s.startsWith(text.substring(text.length() - k))) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }
}
