package org.gkc4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench model --native-limit-search}: the lowest JavaCPP native limit ({@code maxbytes} and
 * {@code maxphysicalbytes}, what the launcher's {@code GKC_NATIVE_MEMORY} sets) under which the measurement still
 * passes. Every measurement runs in a child JVM, because a limit is read once per process and a failed allocation
 * leaves the process in no state to try again. The search ({@link #search}) is pure: it sees only a {@link Runner}.
 */
final class NativeLimitSearch {
    /** The line a child prints last (stdout): {@code gkc-bench-result pass|fail peak_rss_mib=N step_s=X [reason=...]}. */
    static final String RESULT_PREFIX = "gkc-bench-result";
    static final String MAX_BYTES = "-Dorg.bytedeco.javacpp.maxbytes=";
    static final String MAX_PHYSICAL_BYTES = "-Dorg.bytedeco.javacpp.maxphysicalbytes=";
    private static final Pattern RESULT = Pattern.compile(
            Pattern.quote(RESULT_PREFIX) + " (pass|fail) peak_rss_mib=(-?\\d+) step_s=(\\S+)(?: reason=(.*))?");

    private NativeLimitSearch() {
    }

    /** One child's outcome; {@code peakRssMib} -1 and {@code stepSeconds} NaN when unknown, {@code reason} null when passed. */
    record Outcome(boolean passed, long peakRssMib, double stepSeconds, String reason) {
        static Outcome failed(String reason) {
            return new Outcome(false, -1, Double.NaN, reason);
        }
    }

    /** One measurement: its limit in MiB, whether it ran under the launcher's own flags, and its outcome. */
    record Trial(long limitMib, boolean launcherDefault, Outcome outcome) {
    }

    /** The trials in the order they ran and the lowest limit that passed (-1 when not even the default did). */
    record Result(List<Trial> trials, long lowestPassingMib) {
        Outcome defaultRun() {
            return trials.get(0).outcome();
        }
    }

    /** Runs the measurement once under a limit ({@code launcherDefault}: with the parent's flags unchanged). */
    interface Runner {
        Outcome run(long limitMib, boolean launcherDefault);
    }

    /**
     * The default limit first (nothing to search when it fails); then the floor (the search ends there when it
     * passes); then the default run's peak rounded up to the step, which usually passes and so leaves far fewer
     * steps than bisecting down from the default (90 % of the machine); then bisection over the multiples of
     * {@code stepMib} strictly between the highest failing and the lowest passing limit, until none is left.
     *
     * @param floorMib the lowest limit to try; 0 or less: a quarter of the default run's peak, rounded down to the step
     */
    static Result search(long defaultMib, long floorMib, long stepMib, Runner runner) {
        if (stepMib <= 0 || defaultMib <= 0) {
            throw new IllegalArgumentException("the step and the default limit must be positive: " + stepMib + ", " + defaultMib);
        }
        List<Trial> trials = new ArrayList<>();
        Outcome first = runner.run(defaultMib, true);
        trials.add(new Trial(defaultMib, true, first));
        if (!first.passed()) {
            return new Result(trials, -1);
        }
        long floor = floorMib > 0 ? floorMib : Math.max(stepMib, first.peakRssMib() / 4 / stepMib * stepMib);
        if (floor >= defaultMib) {
            return new Result(trials, defaultMib);
        }
        long lo = floor, hi = defaultMib;   // lo fails, hi passes (once the floor has failed)
        Outcome atFloor = runner.run(floor, false);
        trials.add(new Trial(floor, false, atFloor));
        if (atFloor.passed()) {
            return new Result(trials, floor);
        }
        long hint = first.peakRssMib() <= 0 ? -1 : (first.peakRssMib() + stepMib - 1) / stepMib * stepMib;
        boolean hinted = hint > lo && hint < hi;   // a multiple of the step strictly inside: the first limit bisected
        while (true) {
            long a = (lo / stepMib + 1) * stepMib, b = (hi - 1) / stepMib * stepMib;   // the multiples strictly inside
            if (a > b) {
                return new Result(trials, hi);
            }
            long mid = hinted ? hint : a + (b - a) / stepMib / 2 * stepMib;
            hinted = false;
            Outcome o = runner.run(mid, false);
            trials.add(new Trial(mid, false, o));
            if (o.passed()) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
    }

    /** The child's last line on success. */
    static String passLine(long peakRssMib, double stepSeconds) {
        return String.format(Locale.ROOT, "%s pass peak_rss_mib=%d step_s=%.4f", RESULT_PREFIX, peakRssMib, stepSeconds);
    }

    /** The child's last line when the measurement threw: the innermost cause (an allocation fails deep in a class's initialiser). */
    static String failLine(long peakRssMib, double stepSeconds, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.format(Locale.ROOT, "%s fail peak_rss_mib=%d step_s=%.4f reason=%s: %s", RESULT_PREFIX, peakRssMib, stepSeconds,
                root.getClass().getSimpleName(), GkcMain.oneLine(root.getMessage()));
    }

    /**
     * Reads a finished child: it passed only if it exited 0 and its last result line says so. A child that died
     * without a result line (killed, a native crash) fails with its exit code and the last line of its stderr.
     */
    static Outcome read(int exitCode, List<String> stdout, List<String> stderr) {
        Matcher m = null;
        for (String line : stdout) {
            Matcher c = RESULT.matcher(line.strip());
            if (c.matches()) {
                m = c;
            }
        }
        String lastErr = "";
        for (String line : stderr) {
            if (!line.isBlank()) {
                lastErr = line.strip();
            }
        }
        if (m == null) {
            return Outcome.failed("exit " + exitCode + " without a result line" + (lastErr.isEmpty() ? "" : ": " + lastErr));
        }
        long peak = Long.parseLong(m.group(2));
        double step = m.group(3).equals("NaN") ? Double.NaN : Double.parseDouble(m.group(3));
        if (m.group(1).equals("fail")) {
            return new Outcome(false, peak, step, m.group(4) == null ? "exit " + exitCode : m.group(4));
        }
        if (exitCode != 0) {
            return new Outcome(false, peak, step, "exit " + exitCode + " after a passing measurement" + (lastErr.isEmpty() ? "" : ": " + lastErr));
        }
        return new Outcome(true, peak, step, null);
    }

    /**
     * Runs one child to its end or the timeout (then it and its descendants are killed and it counts as failed). A
     * search stopped by Ctrl-C kills its running child too: a measurement nobody reads should not hold the cores.
     */
    static Outcome runChild(List<String> command, Duration timeout, Path stdout, Path stderr) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            return Outcome.failed("could not run the child: " + GkcMain.oneLine(e.getMessage()));
        }
        Thread killer = new Thread(() -> kill(p));
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                p.waitFor(30, TimeUnit.SECONDS);
                return Outcome.failed("timed out after " + timeout.toSeconds() + " s (killed)");
            }
            return read(p.exitValue(), Files.readAllLines(stdout, StandardCharsets.UTF_8), Files.readAllLines(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Outcome.failed("could not read the child's output: " + GkcMain.oneLine(e.getMessage()));
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a child was running", e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /**
     * The child's command: this JVM's binary, its options (without the native limits when {@code limitMib} replaces
     * them; unchanged for the launcher's default) and class path, then {@code gkc bench model ...}.
     */
    static List<String> childCommand(String java, List<String> jvmOptions, String classPath, List<String> benchArgs,
                                     long limitMib, boolean launcherDefault) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String o : jvmOptions) {
            if (launcherDefault || !(o.startsWith(MAX_BYTES) || o.startsWith(MAX_PHYSICAL_BYTES))) {
                cmd.add(o);
            }
        }
        if (!launcherDefault) {
            cmd.add(MAX_BYTES + limitMib + "M");
            cmd.add(MAX_PHYSICAL_BYTES + limitMib + "M");
        }
        cmd.addAll(List.of("-cp", classPath, GkcMain.class.getName(), "bench", "model"));
        cmd.addAll(benchArgs);
        return cmd;
    }

    /** Children of this JVM, logs in {@code logDir}; after the default run, the timeout falls to 3x its time + 2 min. */
    static Runner childJvms(List<String> benchArgs, Duration timeout, Path logDir) {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
        String cp = System.getProperty("java.class.path");
        Duration[] limit = {timeout};
        return (limitMib, launcherDefault) -> {
            String name = launcherDefault ? "default" : limitMib + "M";
            long t0 = System.nanoTime();
            Outcome o = runChild(childCommand(javaBin, jvm, cp, benchArgs, limitMib, launcherDefault), limit[0],
                    logDir.resolve(name + ".out"), logDir.resolve(name + ".err"));
            if (launcherDefault && o.passed()) {
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                Duration after = took.multipliedBy(3).plusMinutes(2);
                limit[0] = after.compareTo(timeout) < 0 ? after : timeout;
            }
            return o;
        };
    }

    /** Prints a trial as a table row. */
    static String row(Trial t) {
        Outcome o = t.outcome();
        String reason = o.reason() == null ? "" : o.reason().length() > 200 ? o.reason().substring(0, 200) + "..." : o.reason();
        return String.format(Locale.ROOT, "| %dM%s | %s | %s | %s | %s |", t.limitMib(), t.launcherDefault() ? " (default)" : "",
                o.passed() ? "pass" : "fail", o.peakRssMib() < 0 ? "-" : Long.toString(o.peakRssMib()),
                Double.isNaN(o.stepSeconds()) ? "-" : String.format(Locale.ROOT, "%.3f", o.stepSeconds()), reason);
    }

    /** The closing line. */
    static String summary(Result r) {
        if (r.lowestPassingMib() < 0) {
            return "the default limit fails: nothing to search (its reason is in the table)";
        }
        long peak = r.defaultRun().peakRssMib();
        return String.format(Locale.ROOT, "lowest passing limit %dM, %.0f %% of the default run's peak (%d MiB)",
                r.lowestPassingMib(), 100.0 * r.lowestPassingMib() / peak, peak);
    }

    /** The whole command: search with child JVMs, a row per trial as it ends, then the closing line; 1 when the default fails. */
    static int run(PrintStream out, List<String> benchArgs, long floorMib, long stepMib, Duration timeout) throws IOException {
        long defaultMib = org.bytedeco.javacpp.Pointer.maxPhysicalBytes() >> 20;
        Path logs = Files.createTempDirectory("gkc-native-limit-");
        out.printf("native limit search: bench model %s; default limit %dM, step %dM, floor %s; child logs in %s%n",
                String.join(" ", benchArgs), defaultMib, stepMib, floorMib > 0 ? floorMib + "M" : "a quarter of the default run's peak", logs);
        out.println("| native limit | result | peak RSS MiB | training step s | reason |");
        out.println("|---|---|---|---|---|");
        List<String> childArgs = new ArrayList<>(benchArgs);
        childArgs.add("--result-line");
        Runner children = childJvms(childArgs, timeout, logs);
        Result r = search(defaultMib, floorMib, stepMib, (limitMib, launcherDefault) -> {
            Outcome o = children.run(limitMib, launcherDefault);
            out.println(row(new Trial(limitMib, launcherDefault, o)));
            out.flush();
            return o;
        });
        out.println(summary(r));
        return r.lowestPassingMib() < 0 ? 1 : 0;
    }
}
