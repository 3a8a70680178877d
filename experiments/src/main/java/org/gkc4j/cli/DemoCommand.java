package org.gkc4j.cli;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.experiments.RunConfig;
import org.gkc4j.experiments.TrainingRun;
import org.gkc4j.experiments.VideoDemo;
import org.gkc4j.experiments.VideoDemoConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true, subcommands = DemoCommand.Video.class,
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

    @Command(name = "video", mixinStandardHelpOptions = true,
            description = "The video demo: the image demo's network fine-tuned as a video network on the synthetic world in motion (seen classes), then the video network (clips joined into tracks) and the image network (frame by frame) on held-out videos with every class name: mIoU seen/unseen/harmonic and VSPW's mVC8/mVC16. Needs an image demo run (./gkc demo).")
    static final class Video implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "runs/demo-video")
        Path out;
        @Option(names = "--set", description = "Override a key of configs/demo-video.yaml (a.b=value), e.g. imageRun=runs/demo.")
        List<String> overrides = new ArrayList<>();
        @Option(names = "--resume", description = "Continue an interrupted video demo.")
        boolean resume;

        @Override
        public Integer call() throws Exception {
            Path config = Path.of(System.getProperty("gkc.home", ".")).resolve("configs/demo-video.yaml");
            if (!Files.exists(config)) {
                throw GkcException.of("the video demo's config is missing: %s", config);
            }
            long start = System.nanoTime();
            VideoDemoConfig cfg = Configs.load(VideoDemoConfig.class, VideoDemoConfig.defaults(), config, overrides);
            java.util.Map<String, Object> m = VideoDemo.run(cfg, out, resume);
            System.err.printf(java.util.Locale.ROOT, "gkc: video network: mIoU seen %.1f, unseen %.1f, harmonic %.1f, mVC8 %.1f; image network frame by frame: %.1f, %.1f, %.1f, mVC8 %.1f%n",
                    m.get("mIoU_base"), m.get("mIoU_novel"), m.get("hIoU"), m.get("mVC8"), m.get("mIoU_base_per_frame"), m.get("mIoU_novel_per_frame"),
                    m.get("hIoU_per_frame"), m.get("mVC8_per_frame"));
            System.err.printf("gkc: video demo finished in %.1f min; metrics in %s%n", (System.nanoTime() - start) / 6e10, out.resolve(VideoDemo.METRICS));
            return 0;
        }
    }
}
