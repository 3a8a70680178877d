package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.io.AtomicFiles;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a study (ablation, sweep) runs its members. {@link #CHILD_PROCESS}, the default, gives every run a fresh JVM:
 * ND4J's native memory grows from run to run in one process (measured: a 12-run ablation died of out-of-memory at
 * 21.7 GB in its tenth run), and a crash in one run cannot take the study down. {@link #IN_PROCESS} is faster to
 * start and easier to debug. Either way an interrupted run resumes from its checkpoint.
 */
public enum RunLauncher implements StudyLauncher {
    IN_PROCESS {
        @Override
        public SemSegMetrics run(RunConfig cfg, Path dir) throws Exception {
            SemSegMetrics m = TrainingRun.run(cfg, dir, true).metrics();
            System.gc();   // let the finished run's native buffers go before the next one starts
            return m;
        }
    },
    CHILD_PROCESS {
        @Override
        public SemSegMetrics run(RunConfig cfg, Path dir) throws Exception {
            Files.createDirectories(dir);
            Path request = dir.resolve("requested-config.yaml");
            AtomicFiles.writeString(request, Configs.toYaml(cfg));
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("org.gkc4j.cli.GkcMain");
            cmd.addAll(List.of("train", "--config", request.toString(), "--out", dir.toString(), "--resume"));
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            int code;
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                p.destroy();
                Thread.currentThread().interrupt();
                throw GkcException.of("interrupted while %s was running", dir);
            }
            if (code != 0) {
                throw GkcException.of("the run in %s failed (exit %d; its message is above); run the study again to resume", dir, code);
            }
            return AblationRunner.readMetrics(dir.resolve(TrainingRun.METRICS));
        }
    };

    /** Trains and evaluates one run in {@code dir} (resuming it when it was interrupted) and returns its metrics. */
    @Override
    public abstract SemSegMetrics run(RunConfig cfg, Path dir) throws Exception;
}
