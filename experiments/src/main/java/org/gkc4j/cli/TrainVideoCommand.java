package org.gkc4j.cli;

import org.gkc4j.config.Configs;
import org.gkc4j.experiments.VideoRunConfig;
import org.gkc4j.experiments.VipsegTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "train-video", mixinStandardHelpOptions = true,
        description = "Train the video network on VIPSeg from an image run (configs/vipseg.yaml: --set init=RUN --set data.root=VIPSeg_720P); "
                + "--resume continues an interrupted run. Evaluate with 'gkc eval --dataset vipseg'.")
public final class TrainVideoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Option(names = "--config", required = true, description = "Video run config (YAML), e.g. configs/vipseg.yaml.")
    Path config;
    @Mixin
    RunFolderOptions run;

    @Override
    public Integer call() throws Exception {
        VideoRunConfig cfg = Configs.load(VideoRunConfig.class, VideoRunConfig.defaults(), config, run.overrides);
        VipsegTraining.run(cfg, run.out, run.resume);
        return 0;
    }
}
