package io.edgellm.bench.ab;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Same-JVM, interleaved A/B of two builds of the kernels, for machines whose speed drifts (a shared VM's bandwidth
 * moved 2x within minutes here, so numbers from two runs minutes apart do not compare). Each build's jar gets a class
 * loader of its own with a {@link KernelAbTarget}; after a warm-up the samples alternate A, B, A, B, each timed in
 * thread CPU time ({@code k} calls of about 10 ms), and the result is the median and quartiles of the per-pair ratio
 * {@code time(A) / time(B)} (B's speed-up), with best and median GB/s of weights for each side.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector [-XX:MaxVectorSize=16|32|64] -cp edgellm.jar io.edgellm.bench.ab.KernelAb \
 *     A.jar B.jar MODE TYPE[,TYPE...] [THREADS]
 *   MODE  dec      256 x 2048 matvec (in cache: the kernel, not memory)
 *         big      8192 x 4096 matvec (out of cache)
 *         bN       256 x 2048, N activation rows (decode of N sequences)
 *         ppN      2048 x 2048, N activation rows (prefill micro-batch)
 * </pre>
 * System properties {@code edgellm.ab.warmupMs} (default 2000, per side) and {@code edgellm.ab.samples} (default 80
 * pairs) shorten or lengthen a run. Caveat: both builds share the JDK's Vector API classes and their type profiles; when the two builds use different
 * vector shapes, one may slow the other (see {@code KernelProfilePollutionTest}), so a surprising ratio should be
 * checked in separate JVMs.
 */
public final class KernelAb {
    private KernelAb() {
    }

    /**
     * @param args {@code A.jar B.jar MODE TYPES [THREADS]}
     * @throws Exception if a jar cannot be loaded or an argument is bad
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: KernelAb A.jar B.jar dec|big|bN|ppN TYPE[,TYPE...] [THREADS]");
        }
        String mode = args[2];
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        int rows, cols = 2048, batch = 1;
        if (mode.equals("dec")) {
            rows = 256;
        } else if (mode.equals("big")) {
            rows = 8192;
            cols = 4096;
        } else if (mode.startsWith("pp")) {
            rows = 2048;
            batch = Integer.parseInt(mode.substring(2));
        } else if (mode.startsWith("b")) {
            rows = 256;
            batch = Integer.parseInt(mode.substring(1));
        } else {
            throw new IllegalArgumentException("mode: dec, big, bN or ppN, not " + mode);
        }
        URL self = KernelAb.class.getProtectionDomain().getCodeSource().getLocation();
        // the kernels log through SLF4J: a bare class directory under test finds it where this class found it
        URL slf4j = org.slf4j.LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (String type : args[3].split(",")) {
            Runnable[] side = new Runnable[2];
            double bytes = 0;
            for (int i = 0; i < 2; i++) {
                Path jar = Path.of(args[i]);
                if (!Files.exists(jar)) {
                    throw new IllegalArgumentException("no such jar or class directory: " + jar);
                }
                // the build under test first: its kernels; KernelAbTarget from it, or from this jar if it predates it
                URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL(), self, slf4j},
                        ClassLoader.getPlatformClassLoader());
                Object t = loader.loadClass(KernelAbTarget.class.getName())
                        .getConstructor(String.class, int.class, int.class, int.class, int.class)
                        .newInstance(type, rows, cols, batch, threads);
                side[i] = (Runnable) t;
                bytes = t.getClass().getField("bytes").getDouble(t);
            }
            long warm = Long.getLong("edgellm.ab.warmupMs", 2000L) * 1_000_000L;
            for (Runnable r : side) {
                runFor(r, warm * 3 / 4);
            }
            for (Runnable r : side) {
                runFor(r, warm / 4);
            }
            long c0 = System.nanoTime();
            int k = 0;
            while (System.nanoTime() - c0 < 10_000_000L) {
                side[0].run();
                k++;
            }
            int n = Integer.getInteger("edgellm.ab.samples", 80);
            double[][] ns = new double[2][n];
            double[] ratio = new double[n];
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < 2; i++) {
                    long s0 = mx.getCurrentThreadCpuTime();
                    for (int j = 0; j < k; j++) {
                        side[i].run();
                    }
                    ns[i][s] = (mx.getCurrentThreadCpuTime() - s0) / (double) k;
                }
                ratio[s] = ns[0][s] / ns[1][s];
            }
            Arrays.sort(ratio);
            double[] best = new double[2];
            double[] med = new double[2];
            for (int i = 0; i < 2; i++) {
                double[] c = ns[i].clone();
                Arrays.sort(c);
                best[i] = c[0];
                med[i] = c[n / 2];
            }
            System.out.printf(Locale.ROOT, "%s %s t=%d  A best %.2f med %.2f GB/s | B best %.2f med %.2f GB/s | "
                            + "B/A speed-up median %.2f (IQR %.2f-%.2f)%n", mode, type, threads, bytes / best[0],
                    bytes / med[0], bytes / best[1], bytes / med[1], ratio[n / 2], ratio[n / 4], ratio[3 * n / 4]);
        }
    }

    private static void runFor(Runnable r, long nanos) {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < nanos) {
            r.run();
        }
    }
}
