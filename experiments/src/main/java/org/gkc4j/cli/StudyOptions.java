package org.gkc4j.cli;

import org.gkc4j.experiments.RunLauncher;
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

    /** {@code --out}, or {@code runs/<kind>/<config file name without .yaml>}. */
    Path outDir(String kind) {
        return out != null ? out : Path.of("runs", kind).resolve(config.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
    }

    RunLauncher launcher() {
        return inProcess ? RunLauncher.IN_PROCESS : RunLauncher.CHILD_PROCESS;
    }
}
