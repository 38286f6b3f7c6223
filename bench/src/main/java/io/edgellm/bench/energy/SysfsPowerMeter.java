package io.edgellm.bench.energy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PowerMeter} built from sysfs files: each rail has a small function that reads its file(s) and converts the
 * unit (mV·mA, µW, µJ) to watts or joules. The readers ({@link Ina3221Reader}, {@link RaplReader}, {@link HwmonReader})
 * only discover rails and build one of these.
 */
public final class SysfsPowerMeter implements PowerMeter {

    /** Reads one rail from sysfs: watts for a power rail, joules for an energy counter. */
    @FunctionalInterface
    public interface RailReader {
        double read(Sysfs sysfs) throws IOException;
    }

    private final Sysfs sysfs;
    private final String description;
    private final List<Rail> rails;
    private final List<RailReader> readers;
    private final int[] totalRails;
    private final String totalNote;

    SysfsPowerMeter(Sysfs sysfs, String kind, List<Rail> rails, List<RailReader> readers, int[] totalRails,
                    String totalNote) {
        this.sysfs = sysfs;
        this.rails = List.copyOf(rails);
        this.readers = List.copyOf(readers);
        this.totalRails = totalRails.clone();
        this.totalNote = totalNote;
        List<String> names = new ArrayList<>();
        for (Rail r : rails) {
            names.add(r.name());
        }
        this.description = kind + ": " + String.join(", ", names);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public List<Rail> rails() {
        return rails;
    }

    @Override
    public int[] totalRails() {
        return totalRails.clone();
    }

    @Override
    public String totalNote() {
        return totalNote;
    }

    @Override
    public double read(int index) throws IOException {
        return readers.get(index).read(sysfs);
    }

    /** Collects rails during discovery. */
    static final class Builder {
        final List<Rail> rails = new ArrayList<>();
        final List<RailReader> readers = new ArrayList<>();

        int add(Rail rail, RailReader reader) {
            rails.add(rail);
            readers.add(reader);
            return rails.size() - 1;
        }

        boolean isEmpty() {
            return rails.isEmpty();
        }
    }
}
