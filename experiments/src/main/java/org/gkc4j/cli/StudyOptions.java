package org.gkc4j.cli;

import org.gkc4j.experiments.RunLauncher;
import org.gkc4j.experiments.StudyLauncher;
import org.gkc4j.experiments.spark.SparkStudyLauncher;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the study commands ({@code ablate}, {@code sweep}) share: their config, output folder, overrides and launcher. */
public class StudyOptions {
    @Option(names = "--config", required = true, description = "Study config (configs/ablations/*.yaml or configs/sweeps/*.yaml).")
    Path config;
    @Option(names = "--out", description = "Output folder (default: runs/<ablations|sweeps>/<config name>).")
    Path out;
    @Option(names = "--set", description = "Override a run-config key in every run (a.b=value).")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--in-process", description = "Run every member in this JVM instead of a fresh one each (faster start; native memory grows from run to run).")
    boolean inProcess;
    @Option(names = "--spark", paramLabel = "MASTER", description = "Run every member as a Spark task (in a fresh JVM on its executor), as many at once as Spark has task slots: local[N], spark://host:7077, yarn, k8s://...")
    String spark;

    /** {@code --out}, or {@code runs/<kind>/<config file name without .yaml>}. */
    Path outDir(String kind) {
        return out != null ? out : Path.of("runs", kind).resolve(config.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
    }

    StudyLauncher launcher() {
        if (spark != null) {
            if (inProcess) {
                throw new org.gkc4j.GkcException("--spark and --in-process exclude each other: a Spark task runs its member in a fresh JVM");
            }
            return new SparkStudyLauncher(spark, "gkc4j study " + config.getFileName());
        }
        return inProcess ? RunLauncher.IN_PROCESS : RunLauncher.CHILD_PROCESS;
    }
}
