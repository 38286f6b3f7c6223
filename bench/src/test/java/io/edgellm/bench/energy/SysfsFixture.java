package io.edgellm.bench.energy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds fake sysfs trees in a temporary directory: one call per attribute file. */
final class SysfsFixture {
    final Path root;

    SysfsFixture(Path root) {
        this.root = root;
    }

    /** Writes {@code root/relative} with the value and a trailing newline, as sysfs shows it. */
    SysfsFixture put(String relative, Object value) {
        try {
            Path p = root.resolve(relative);
            Files.createDirectories(p.getParent());
            Files.writeString(p, value + "\n");
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void delete(String relative) {
        try {
            Files.delete(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Jetson Orin Nano: one INA3221 with VDD_IN 5 V × 1 A, VDD_CPU_GPU_CV 5 V × 0.4 A, VDD_SOC 5 V × 0.2 A. */
    static SysfsFixture orinNano(Path root) {
        String hw = "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/";
        SysfsFixture f = new SysfsFixture(root)
                .put("bus/i2c/drivers/ina3221/uevent", "DRIVER=ina3221")
                .put(hw + "name", "ina3221")
                .put(hw + "in1_label", "VDD_IN").put(hw + "in1_input", 5000).put(hw + "curr1_input", 1000)
                .put(hw + "in2_label", "VDD_CPU_GPU_CV").put(hw + "in2_input", 5000).put(hw + "curr2_input", 400)
                .put(hw + "in3_label", "VDD_SOC").put(hw + "in3_input", 5000).put(hw + "curr3_input", 200)
                // shunt voltages: no label, no current file; must be ignored
                .put(hw + "in4_input", 12).put(hw + "in5_input", 5).put(hw + "in6_input", 2);
        return f;
    }

    /** A Jetson AGX Orin: two INA3221 chips, no VDD_IN rail, unconnected channels labelled NC. */
    static SysfsFixture agxOrin(Path root) {
        String a = "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon1/";
        String b = "bus/i2c/drivers/ina3221/1-0041/hwmon/hwmon2/";
        return new SysfsFixture(root)
                .put(a + "in1_label", "VDD_GPU_SOC").put(a + "in1_input", 5000).put(a + "curr1_input", 600)
                .put(a + "in2_label", "VDD_CPU_CV").put(a + "in2_input", 5000).put(a + "curr2_input", 400)
                .put(a + "in3_label", "VIN_SYS_5V0").put(a + "in3_input", 5000).put(a + "curr3_input", 200)
                .put(b + "in1_label", "NC").put(b + "in1_input", 0).put(b + "curr1_input", 0)
                .put(b + "in2_label", "VDDQ_VDD2_1V8AO").put(b + "in2_input", 5000).put(b + "curr2_input", 100)
                .put(b + "in3_label", "NC").put(b + "in3_input", 0).put(b + "curr3_input", 0);
    }
}
