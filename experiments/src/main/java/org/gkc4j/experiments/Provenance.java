package org.gkc4j.experiments;

import org.gkc4j.config.Configs;
import org.gkc4j.io.AtomicFiles;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What produced a result: code version, machine, time, and the ND4J backend and devices that actually ran (read from
 * ND4J, not from the build profile); written beside every run's outputs.
 */
public final class Provenance {
    private Provenance() {
    }

    public static Map<String, Object> collect() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("started", Instant.now().toString());
        p.put("git_commit", git("rev-parse", "HEAD"));
        p.put("git_dirty", !git("status", "--porcelain").isEmpty());
        p.put("java", System.getProperty("java.version"));
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        p.put("cores", Runtime.getRuntime().availableProcessors());
        p.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", ""));
        p.put("graph_executor", org.gkc4j.nn.exec.GraphExecution.selected().name().toLowerCase());
        try {
            p.putAll(org.gkc4j.experiments.doctor.BackendReport.collect().toProvenance());
        } catch (RuntimeException | LinkageError e) {
            p.put("nd4j", org.gkc4j.experiments.doctor.BackendReport.installedNd4jVersion());
            p.put("backend", "unavailable: " + e.getMessage());
        }
        return p;
    }

    public static void write(Path file) {
        AtomicFiles.writeString(file, Configs.toJson(collect()));
    }

    private static String git(String... args) {
        try {
            String home = System.getProperty("gkc.home", ".");
            String[] cmd = new String[args.length + 3];
            cmd[0] = "git";
            cmd[1] = "-C";
            cmd[2] = home;
            System.arraycopy(args, 0, cmd, 3, args.length);
            Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(proc.getInputStream().readAllBytes()).trim();
            return proc.waitFor() == 0 ? out : "";
        } catch (Exception e) {
            return "";
        }
    }
}
