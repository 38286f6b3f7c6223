package io.edgellm.bench.energy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NVIDIA Jetson on-module power monitors (TI INA3221, three channels per chip).
 *
 * <p>Two sysfs layouts exist:
 * <pre>
 * hwmon (JetPack 5/6: Orin Nano, Orin NX, AGX Orin), mainline driver "ina3221":
 *   /sys/bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/
 *       in1_label   "VDD_IN"        channel name (absent or "NC" on unconnected channels)
 *       in1_input   5072            bus voltage, mV
 *       curr1_input 1432            current, mA           → power = mV × mA / 1000  mW
 *       in4..in6_input               shunt voltages (no label, no curr file: ignored)
 * iio (JetPack 4: Nano, TX2, Xavier), NVIDIA driver "ina3221x":
 *   /sys/bus/i2c/drivers/ina3221x/6-0040/iio:device0/
 *       rail_name_0      "POM_5V_IN"
 *       in_power0_input  3124        power, mW
 * </pre>
 * The board total is the board-input rail ({@code VDD_IN} on Orin Nano/NX and Xavier NX, {@code POM_5V_IN} on Nano)
 * when present; the other rails are parts of it. AGX Orin has no such rail: the total is then the sum of the rails
 * and the result says it under-reads the wall (regulator losses, carrier board, fan).
 */
public final class Ina3221Reader {

    /** Rail names that measure the whole module input. */
    private static final List<String> BOARD_INPUT = List.of("VDD_IN", "POM_5V_IN", "VIN");

    private Ina3221Reader() {
    }

    /** Looks for INA3221 channels under {@code bus/i2c/drivers/ina3221*}, hwmon layout first. */
    public static Probe probe(Sysfs sysfs) {
        List<String> notes = new ArrayList<>();
        SysfsPowerMeter.Builder b = new SysfsPowerMeter.Builder();
        String layout = null;
        for (Path dev : sysfs.list(sysfs.resolve("bus/i2c/drivers/ina3221"), "*")) {
            for (Path hw : sysfs.list(dev.resolve("hwmon"), "hwmon*")) {
                for (Path curr : sysfs.list(hw, "curr*_input")) {
                    String f = curr.getFileName().toString();
                    String ch = f.substring("curr".length(), f.length() - "_input".length());
                    Path volt = hw.resolve("in" + ch + "_input");
                    String label = sysfs.label(hw.resolve("in" + ch + "_label"), null);
                    if (label == null || label.equalsIgnoreCase("NC") || !Files.exists(volt)) {
                        continue; // unconnected channel
                    }
                    if (!sysfs.canRead(curr) || !sysfs.canRead(volt)) {
                        notes.add("INA3221 channel " + label + " at " + hw + " is not readable");
                        continue;
                    }
                    b.add(Rail.power(label, hw + "/{in,curr}" + ch + "_input"),
                            s -> s.readLong(volt) * (double) s.readLong(curr) / 1e6); // mV × mA = µW → W
                    layout = "hwmon";
                }
            }
        }
        if (b.isEmpty()) {
            for (String driver : List.of("ina3221x", "ina3221")) {
                for (Path dev : sysfs.list(sysfs.resolve("bus/i2c/drivers/" + driver), "*")) {
                    for (Path iio : sysfs.list(dev, "iio:device*")) {
                        for (Path pow : sysfs.list(iio, "in_power*_input")) {
                            String f = pow.getFileName().toString();
                            String ch = f.substring("in_power".length(), f.length() - "_input".length());
                            String label = sysfs.label(iio.resolve("rail_name_" + ch), "ch" + ch);
                            if (!sysfs.canRead(pow)) {
                                notes.add("INA3221 channel " + label + " at " + pow + " is not readable");
                                continue;
                            }
                            b.add(Rail.power(label, pow.toString()), s -> s.readLong(pow) / 1e3); // mW → W
                            layout = "iio";
                        }
                    }
                }
            }
        }
        if (b.isEmpty()) {
            return new Probe(null, notes);
        }
        int boardInput = -1;
        for (int i = 0; i < b.rails.size() && boardInput < 0; i++) {
            if (BOARD_INPUT.contains(b.rails.get(i).name().toUpperCase(Locale.ROOT))) {
                boardInput = i;
            }
        }
        int[] total;
        String note;
        if (boardInput >= 0) {
            total = new int[] {boardInput};
            note = b.rails.get(boardInput).name() + " (board input; the other rails are parts of it)";
        } else {
            total = new int[b.rails.size()];
            for (int i = 0; i < total.length; i++) {
                total[i] = i;
            }
            note = "sum of rails: no board-input rail (VDD_IN) on this module (e.g. AGX Orin), so it under-reads the "
                    + "wall (regulator losses, carrier board, fan not included)";
        }
        return new Probe(new SysfsPowerMeter(sysfs, "Jetson INA3221 (" + layout + ")", b.rails, b.readers, total, note),
                notes);
    }
}
