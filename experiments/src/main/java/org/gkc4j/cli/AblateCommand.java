package org.gkc4j.cli;

import org.gkc4j.config.Configs;
import org.gkc4j.experiments.AblationConfig;
import org.gkc4j.experiments.AblationRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "ablate", mixinStandardHelpOptions = true,
        description = "Run an ablation study (configs/ablations/*.yaml): every variant with every seed; a markdown table of mean and standard deviation and a bar chart. Resumable.")
public final class AblateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Mixin
    StudyOptions study;

    @Override
    public Integer call() throws Exception {
        AblationConfig ab = Configs.load(AblationConfig.class, AblationConfig.defaults(), study.config, List.of());
        Path dir = study.outDir("ablations");
        try (var launcher = study.launcher()) {
            AblationRunner.run(study.config, ab, study.overrides, dir, launcher);
        }
        System.out.print(java.nio.file.Files.readString(dir.resolve("results.md")));
        return 0;
    }
}
