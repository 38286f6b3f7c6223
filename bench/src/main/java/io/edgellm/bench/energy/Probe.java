package io.edgellm.bench.energy;

import java.util.List;

/**
 * What one reader found on a sysfs tree: a meter (null when nothing readable) and notes for the user (e.g. the RAPL
 * files exist but are root-only, and how to grant access).
 */
public record Probe(PowerMeter meter, List<String> notes) {
    public Probe {
        notes = List.copyOf(notes);
    }

    /** Whether a readable meter was found. */
    public boolean found() {
        return meter != null;
    }
}
