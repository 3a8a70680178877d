package org.gkc4j.cli;

import org.gkc4j.config.Configs;
import org.gkc4j.experiments.RunLauncher;
import org.gkc4j.experiments.ArbiterSweep;
import org.gkc4j.experiments.SweepConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Arbiter random or grid search over run-config keys (configs/sweeps/*.yaml); trials run through the same trainer; resumable.")
public final class SweepCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Option(names = "--config", required = true, description = "Sweep config.")
    Path config;
    @Option(names = "--out", description = "Output folder (default: runs/sweeps/<config name>).")
    Path out;
    @Option(names = "--set", description = "Override a run-config key in every trial (a.b=value).")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--in-process", description = "Run every member in this JVM instead of a fresh one each (faster start; native memory grows from run to run).")
    boolean inProcess;

    @Override
    public Integer call() throws Exception {
        SweepConfig sc = Configs.load(SweepConfig.class, SweepConfig.defaults(), config, List.of());
        Path dir = out != null ? out : Path.of("runs/sweeps").resolve(config.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
        ArbiterSweep.run(config, sc, overrides, dir, inProcess ? RunLauncher.IN_PROCESS : RunLauncher.CHILD_PROCESS);
        System.out.print(Files.readString(dir.resolve("results.md")));
        return 0;
    }
}
