package org.gkc4j.experiments.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.gkc4j.config.Configs;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.experiments.AblationRunner;
import org.gkc4j.experiments.RunConfig;
import org.gkc4j.experiments.RunLauncher;
import org.gkc4j.experiments.StudyLauncher;
import org.gkc4j.experiments.TrainingRun;
import org.gkc4j.io.AtomicFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A study's runs as Spark tasks: each run one task, which trains and evaluates it in a fresh JVM on its executor
 * ({@link RunLauncher#CHILD_PROCESS}) and returns its metrics files' text to the driver, which keeps them beside the
 * run (a cluster without a shared file system leaves the rest of the run on the executor's disk). As many runs go at
 * once as Spark has task slots; a lost executor's run is rerun by Spark and resumes from its checkpoint when the file
 * system is shared.
 */
public final class SparkStudyLauncher implements StudyLauncher {
    private final JavaSparkContext sc;

    public SparkStudyLauncher(String master, String appName) {
        this.sc = SparkContexts.open(master, appName);
    }

    @Override
    public int parallelism() {
        return sc.defaultParallelism();
    }

    @Override
    public SemSegMetrics run(RunConfig cfg, Path dir) throws Exception {
        String yaml = Configs.toYaml(org.gkc4j.experiments.TrainingLoopPaths.absolute(cfg));
        String where = dir.toAbsolutePath().normalize().toString();
        List<String[]> out = sc.parallelize(List.of(where), 1).map(d -> runHere(yaml, d)).collect();
        String[] files = out.get(0);
        Files.createDirectories(dir);
        if (!Files.exists(dir.resolve(TrainingRun.METRICS))) {
            AtomicFiles.writeString(dir.resolve(TrainingRun.METRICS), files[0]);
        }
        if (files[1] != null && !Files.exists(dir.resolve(TrainingRun.METRICS_CALIBRATED))) {
            AtomicFiles.writeString(dir.resolve(TrainingRun.METRICS_CALIBRATED), files[1]);
        }
        return AblationRunner.readMetrics(dir.resolve(TrainingRun.METRICS));
    }

    /** On the executor: the run in a fresh JVM, then its metrics and calibrated metrics (null when absent) as text. */
    private static String[] runHere(String yaml, String dir) throws Exception {
        Path tmp = Files.createTempFile("gkc-study", ".yaml");
        Files.writeString(tmp, yaml);
        RunConfig cfg = Configs.load(RunConfig.class, RunConfig.defaults(), tmp, List.of());
        Files.deleteIfExists(tmp);
        Path d = Path.of(dir);
        RunLauncher.CHILD_PROCESS.run(cfg, d);
        Path cal = d.resolve(TrainingRun.METRICS_CALIBRATED);
        return new String[]{Files.readString(d.resolve(TrainingRun.METRICS)), Files.exists(cal) ? Files.readString(cal) : null};
    }

    @Override
    public void close() {
        sc.close();
    }
}
