package org.gkc4j.cli;

import org.gkc4j.GkcException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the built-in default: synthetic open-vocabulary world, tiny CLIP, GKC training and evaluation.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "runs/demo")
    Path out;

    @Override
    public Integer call() {
        throw new GkcException("the demo is not built yet: the GKC network and trainer (issues 4-8) are still in progress");
    }
}
