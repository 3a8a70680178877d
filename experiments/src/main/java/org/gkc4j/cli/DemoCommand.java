package org.gkc4j.cli;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.experiments.RunConfig;
import org.gkc4j.experiments.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the built-in default: synthetic open-vocabulary world, tiny CLIP (pretrained once, cached), GKC with text diversification and text-guided distillation on the seen classes, evaluation on seen and unseen classes.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "runs/demo")
    Path out;
    @Option(names = "--set", description = "Override a key of configs/demo.yaml (a.b=value).")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--resume", description = "Continue an interrupted demo.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        Path config = Path.of(System.getProperty("gkc.home", ".")).resolve("configs/demo.yaml");
        if (!Files.exists(config)) {
            throw GkcException.of("the demo's config is missing: %s", config);
        }
        long start = System.nanoTime();
        RunConfig cfg = Configs.load(RunConfig.class, RunConfig.defaults(), config, overrides);
        TrainingRun.Result r = TrainingRun.run(cfg, out, resume);
        System.err.printf("gkc: demo finished in %.1f min; metrics in %s%n", (System.nanoTime() - start) / 6e10, out.resolve(TrainingRun.METRICS));
        return 0;
    }
}
