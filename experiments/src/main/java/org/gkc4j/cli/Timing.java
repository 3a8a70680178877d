package org.gkc4j.cli;

import java.util.Arrays;

/** Wall-clock medians for benchmark commands (this machine is noisy: report medians, not means). */
final class Timing {
    private Timing() {
    }

    interface Work {
        void run() throws Exception;
    }

    /** Seconds: median over {@code reps} runs after {@code warmup} unmeasured ones. */
    static double median(int warmup, int reps, Work w) throws Exception {
        for (int i = 0; i < warmup; i++) {
            w.run();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            w.run();
            t[i] = (System.nanoTime() - s) / 1e9;
        }
        Arrays.sort(t);
        return reps % 2 == 1 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
    }

    static double once(Work w) throws Exception {
        long s = System.nanoTime();
        w.run();
        return (System.nanoTime() - s) / 1e9;
    }

    static long peakRssMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }
}
