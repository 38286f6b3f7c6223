package io.edgellm.bench.energy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raspberry Pi 5 power from its PMIC, read through the firmware: {@code vcgencmd pmic_read_adc} prints one line per
 * ADC channel, a current and a voltage per rail, e.g.
 * <pre>
 *   VDD_CORE_A current(7)=4.37812000A
 *   VDD_CORE_V volt(15)=0.82117180V
 *      EXT5V_V volt(24)=5.12081000V
 * </pre>
 * Currents and voltages are paired by rail name (the {@code _A} / {@code _V} suffix removed; the channel numbers in
 * parentheses differ between the two), each pair is one power rail ({@code V × I}), and the board figure is their
 * sum. Voltage-only channels ({@code EXT5V}, the 5 V input; {@code BATT}, the RTC cell) have no current and are not
 * rails. The sum covers what the PMIC itself supplies: it under-reads the wall (USB and other 5 V loads, conversion
 * losses), which {@link #totalNote()} says.
 *
 * <p>One {@code vcgencmd} call reads every rail: {@link #read(int)} runs the command at index 0 (the first rail of each
 * sampling tick) and answers the others from that output.
 */
public final class PmicReader implements PowerMeter {
    private static final Pattern LINE = Pattern.compile("^\\s*(\\S+)_([AV])\\s+(current|volt)\\(\\d+\\)=([-+0-9.eE]+|nan)([AV])\\s*$");

    private final CommandRunner commands;
    private final List<Rail> rails;
    private final double inputVolts;
    private double[] lastWatts;

    /**
     * One parsed output: rails with their current and voltage, and the 5 V input voltage (NaN when absent).
     *
     * @param amps       current per rail, A (rails with both values only, in output order)
     * @param volts      voltage per rail, V (same keys)
     * @param inputVolts {@code EXT5V_V}, NaN when not printed
     */
    public record Reading(Map<String, Double> amps, Map<String, Double> volts, double inputVolts) {
        /**
         * Watts of one rail.
         *
         * @param rail a rail name, e.g. {@code VDD_CORE}
         * @return {@code V × I}
         */
        public double watts(String rail) {
            return amps.get(rail) * volts.get(rail);
        }

        /** @return the sum of all rails' watts */
        public double totalWatts() {
            double s = 0;
            for (String r : amps.keySet()) s += watts(r);
            return s;
        }
    }

    /**
     * Parses {@code vcgencmd pmic_read_adc} output.
     *
     * @param out the command's output
     * @return the rails that have both a current and a voltage line
     * @throws IOException when no such rail is found (a Pi without the PMIC prints {@code error=...})
     */
    public static Reading parse(String out) throws IOException {
        Map<String, Double> amps = new LinkedHashMap<>(), volts = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) continue;
            boolean current = m.group(3).equals("current");
            if (current != m.group(2).equals("A") || current != m.group(5).equals("A")) continue; // inconsistent line
            double v;
            try {
                v = Double.parseDouble(m.group(4));
            } catch (NumberFormatException e) {
                continue;
            }
            if (!Double.isFinite(v)) continue;
            (current ? amps : volts).put(m.group(1), v);
        }
        double input = volts.getOrDefault("EXT5V", Double.NaN);
        Map<String, Double> a = new LinkedHashMap<>(), vv = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : amps.entrySet()) {
            Double volt = volts.get(e.getKey());
            if (volt != null) {
                a.put(e.getKey(), e.getValue());
                vv.put(e.getKey(), volt);
            }
        }
        if (a.isEmpty()) {
            String first = out.strip().lines().findFirst().orElse("(no output)");
            throw new IOException("vcgencmd pmic_read_adc: no rail with both a current and a voltage (" + first + ")");
        }
        return new Reading(a, vv, input);
    }

    private PmicReader(CommandRunner commands, Reading first) {
        this.commands = commands;
        List<Rail> r = new ArrayList<>();
        for (String name : first.amps().keySet()) r.add(Rail.power(name, "vcgencmd pmic_read_adc " + name + "_A × " + name + "_V"));
        this.rails = List.copyOf(r);
        this.inputVolts = first.inputVolts();
    }

    /**
     * Runs {@code vcgencmd pmic_read_adc} once.
     *
     * @param commands the command runner
     * @return a probe with the meter, or without one and a note when the command is missing or prints no rails
     */
    public static Probe probe(CommandRunner commands) {
        try {
            return new Probe(new PmicReader(commands, parse(commands.run(List.of("vcgencmd", "pmic_read_adc")))), List.of());
        } catch (IOException | RuntimeException e) {
            return new Probe(null, List.of());
        }
    }

    @Override
    public String description() {
        return "Raspberry Pi 5 PMIC (vcgencmd pmic_read_adc): " + rails.size() + " rails, "
                + String.join(", ", rails.stream().map(Rail::name).toList())
                + (Double.isFinite(inputVolts) ? String.format(Locale.ROOT, "; EXT5V %.3f V", inputVolts) : "");
    }

    @Override
    public List<Rail> rails() {
        return rails;
    }

    @Override
    public int[] totalRails() {
        int[] all = new int[rails.size()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        return all;
    }

    @Override
    public String totalNote() {
        return "sum of PMIC rails (V×I): under-reads the wall (no 5 V input current; USB loads and conversion losses excluded)";
    }

    @Override
    public double read(int index) throws IOException {
        if (index == 0 || lastWatts == null) {
            Reading r = parse(commands.run(List.of("vcgencmd", "pmic_read_adc")));
            double[] w = new double[rails.size()];
            for (int i = 0; i < w.length; i++) {
                String name = rails.get(i).name();
                w[i] = r.amps().containsKey(name) ? r.watts(name) : Double.NaN;
            }
            lastWatts = w;
        }
        double w = lastWatts[index];
        if (Double.isNaN(w)) throw new IOException("rail " + rails.get(index).name() + " missing from vcgencmd pmic_read_adc");
        return w;
    }
}
