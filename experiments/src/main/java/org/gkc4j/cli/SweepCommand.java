package org.gkc4j.cli;

import org.gkc4j.config.Configs;
import org.gkc4j.experiments.ArbiterSweep;
import org.gkc4j.experiments.SweepConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Arbiter random or grid search over run-config keys (configs/sweeps/*.yaml); trials run through the same trainer; resumable.")
public final class SweepCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Mixin
    StudyOptions study;

    @Override
    public Integer call() throws Exception {
        SweepConfig sc = Configs.load(SweepConfig.class, SweepConfig.defaults(), study.config, List.of());
        Path dir = study.outDir("sweeps");
        try (var launcher = study.launcher()) {
            ArbiterSweep.run(study.config, sc, study.overrides, dir, launcher);
        }
        System.out.print(java.nio.file.Files.readString(dir.resolve("results.md")));
        return 0;
    }
}
