package org.gkc4j.cli;

import org.gkc4j.config.Configs;
import org.gkc4j.experiments.RunLauncher;
import org.gkc4j.experiments.AblationConfig;
import org.gkc4j.experiments.AblationRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "ablate", mixinStandardHelpOptions = true,
        description = "Run an ablation study (configs/ablations/*.yaml): every variant with every seed; a markdown table of mean and standard deviation and a bar chart. Resumable.")
public final class AblateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Option(names = "--config", required = true, description = "Ablation config.")
    Path config;
    @Option(names = "--out", description = "Output folder (default: runs/ablations/<config name>).")
    Path out;
    @Option(names = "--set", description = "Override a run-config key in every run (a.b=value).")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--in-process", description = "Run every member in this JVM instead of a fresh one each (faster start; native memory grows from run to run).")
    boolean inProcess;

    @Override
    public Integer call() throws Exception {
        AblationConfig ab = Configs.load(AblationConfig.class, AblationConfig.defaults(), config, List.of());
        Path dir = out != null ? out : Path.of("runs/ablations").resolve(config.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
        AblationRunner.run(config, ab, overrides, dir, inProcess ? RunLauncher.IN_PROCESS : RunLauncher.CHILD_PROCESS);
        System.out.print(java.nio.file.Files.readString(dir.resolve("results.md")));
        return 0;
    }
}
