package io.edgellm.bench.runner;

import io.edgellm.bench.synth.ModelPreset;
import io.edgellm.bench.synth.SyntheticModel;
import io.edgellm.quant.GgmlType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Turns a model argument into a GGUF file: a path, or {@code synth:PRESET:TYPE} (e.g. {@code synth:llama-3.2-1b:Q4_0}),
 * written once with seed 42 into {@code ~/.cache/edgellm} (or {@code -Dedgellm.cache=DIR}).
 * A relative path that does not exist is also tried under {@code -Dedgellm.shared}'s parent, so that
 * {@code ../shared/models/...} works from the module directory in tests.
 */
public final class ModelFiles {

    private ModelFiles() {
    }

    /** The GGUF for {@code spec}. */
    public static Path resolve(String spec) throws IOException {
        if (spec.startsWith("synth:")) {
            String[] f = spec.split(":");
            if (f.length != 3) {
                throw new IllegalArgumentException("synthetic model spec is synth:PRESET:TYPE, got " + spec);
            }
            return synthetic(ModelPreset.byName(f[1]), GgmlType.valueOf(f[2].toUpperCase(Locale.ROOT)), cacheDir());
        }
        Path p = Path.of(spec);
        if (Files.isRegularFile(p)) {
            return p;
        }
        String shared = System.getProperty("edgellm.shared");
        if (shared != null && spec.startsWith("../shared/")) {
            Path q = Path.of(shared).resolve(spec.substring("../shared/".length()));
            if (Files.isRegularFile(q)) {
                return q;
            }
        }
        throw new NoSuchFileException(spec, null, "model file not found (give a GGUF path or synth:PRESET:TYPE)");
    }

    /** {@code ~/.cache/edgellm}, or {@code -Dedgellm.cache}. */
    public static Path cacheDir() {
        String d = System.getProperty("edgellm.cache");
        return d != null ? Path.of(d) : Path.of(System.getProperty("user.home"), ".cache", "edgellm");
    }

    /** Writes (once, atomically) and returns the synthetic model {@code preset} in {@code type}, seed 42. */
    public static Path synthetic(ModelPreset preset, GgmlType type, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("synthetic-" + preset.name() + "-" + type + "-seed42.gguf");
        if (!Files.isRegularFile(file)) {
            // Write beside the target and rename, so a concurrent or interrupted run never sees half a file.
            Path tmp = dir.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            SyntheticModel.write(preset, type, tmp, null, 42);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }
}
