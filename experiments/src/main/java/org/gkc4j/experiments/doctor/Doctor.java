package org.gkc4j.experiments.doctor;

import org.gkc4j.nn.fix.OpFixes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Everything {@code gkc doctor} reports, in order: facts about the machine and the ND4J backend (info lines), then
 * checks that pass or fail: one ND4J release on the class path, the op fixes resolve on this backend, the gradient
 * checks and the forward checks against stored float64 outputs of {@link SelfChecks}. Nothing here assumes the CPU backend.
 */
public final class Doctor {
    public enum Status { INFO, OK, FAIL }

    /** One printed line. */
    public record Line(Status status, String topic, String text) {
        @Override
        public String toString() {
            return String.format("%-5s %-10s %s", status.name().toLowerCase(java.util.Locale.ROOT), topic, text);
        }
    }

    private Doctor() {
    }

    /** Runs every check, handing each line to {@code sink} as soon as it is known; returns them all. */
    public static List<Line> run(Consumer<Line> sink) {
        List<Line> lines = new ArrayList<>();
        Consumer<Line> emit = l -> {
            lines.add(l);
            sink.accept(l);
        };
        emit.accept(info("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + ")"));
        emit.accept(info("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " processors"));
        emit.accept(info("maven", maven()));

        BackendReport b;
        try {
            b = BackendReport.collect();
        } catch (RuntimeException | LinkageError e) {
            emit.accept(new Line(Status.FAIL, "backend", "ND4J did not start: " + e));
            return lines;
        }
        emit.accept(info("backend", b.backend() + " (" + b.backendClass() + "), ND4J " + b.nd4jVersion()
                + (b.blas().isEmpty() ? "" : ", BLAS " + b.blas())));
        emit.accept(info("native", b.build()));
        for (String d : b.devices()) {
            emit.accept(info("device", d));
        }
        emit.accept(info("memory", "JavaCPP maxbytes " + BackendReport.gigabytes(b.maxBytes()) + ", maxphysicalbytes "
                + (b.maxPhysicalBytes() > 0 ? BackendReport.gigabytes(b.maxPhysicalBytes()) : "unlimited")
                + " (resident now " + BackendReport.gigabytes(b.physicalBytes()) + "); Java heap -Xmx " + BackendReport.gigabytes(b.heapMax())
                + "; GKC_NATIVE_MEMORY and GKC_JAVA_OPTS set them"));
        emit.accept(info("executor", "graphs run on " + org.gkc4j.nn.exec.GraphExecution.describe()));

        emit.accept(classpath());
        emit.accept(opFixes());
        for (SelfChecks.Outcome o : SelfChecks.gradients()) {
            emit.accept(new Line(o.passed() ? Status.OK : Status.FAIL, "gradient", o.name() + ": " + o.detail()));
        }
        for (SelfChecks.Outcome f : SelfChecks.forward()) {
            emit.accept(new Line(f.passed() ? Status.OK : Status.FAIL, "forward", f.name() + ": " + f.detail()));
        }
        return lines;
    }

    public static boolean passed(List<Line> lines) {
        return lines.stream().noneMatch(l -> l.status() == Status.FAIL);
    }

    private static Line classpath() {
        try {
            List<ClasspathArtifacts.Artifact> found = ClasspathArtifacts.scan();
            List<String> conflicts = ClasspathArtifacts.conflicts(found);
            if (!conflicts.isEmpty()) {
                return new Line(Status.FAIL, "classpath", String.join("; ", conflicts));
            }
            if (found.isEmpty()) {
                return new Line(Status.FAIL, "classpath", "no ND4J artifact found on java.class.path (an unusual launcher?)");
            }
            String arbiter = found.stream().filter(a -> a.artifact().startsWith("arbiter")).map(a -> a.artifact() + " " + a.version())
                    .distinct().reduce((x, y) -> x + ", " + y).map(s -> "; " + s).orElse("");
            long n = found.stream().map(ClasspathArtifacts.Artifact::key).distinct().count();
            return new Line(Status.OK, "classpath", "one ND4J/DataVec release " + ClasspathArtifacts.release(found) + " (" + n
                    + " artifacts)" + arbiter);
        } catch (RuntimeException e) {
            return new Line(Status.FAIL, "classpath", "cannot read the class path: " + e);
        }
    }

    private static Line opFixes() {
        try {
            List<OpFixes.Resolution> rs = OpFixes.resolve();
            List<String> parts = new ArrayList<>();
            boolean ok = true;
            for (OpFixes.Resolution r : rs) {
                ok &= r.ok();
                parts.add(r.op() + " -> " + (r.registered() == null ? "unknown to this backend"
                        : r.registered().substring(r.registered().lastIndexOf('.') + 1)) + (r.ok() ? "" : " (expected "
                        + r.expected().substring(r.expected().lastIndexOf('.') + 1) + ")"));
            }
            return new Line(ok ? Status.OK : Status.FAIL, "op fixes", String.join(", ", parts));
        } catch (RuntimeException e) {
            return new Line(Status.FAIL, "op fixes", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** {@code mvn -v}'s first line; Maven is needed only to build. */
    private static String maven() {
        try {
            Process p = new ProcessBuilder("mvn", "-v").redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "mvn -v did not answer in 30 s";
            }
            String first = new String(out, StandardCharsets.UTF_8).lines().findFirst().orElse("").replaceAll("\\x1B\\[[0-9;]*m", "").trim();
            return p.exitValue() == 0 && !first.isEmpty() ? first : "mvn -v failed (needed only to build)";
        } catch (IOException e) {
            return "not found (needed only to build)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static Line info(String topic, String text) {
        return new Line(Status.INFO, topic, text);
    }
}
