package org.gkc4j.cli;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.io.Npy;
import org.gkc4j.io.WeightFiles;
import org.gkc4j.model.D2Config;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.model.GkcPredictor;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.fix.OpFixes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "model", mixinStandardHelpOptions = true, description = "The GKC network: inference on given inputs, sizes and parameter counts.",
        subcommands = {ModelCommand.Forward.class, ModelCommand.Info.class})
public final class ModelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the network's sizes come from: a detectron2-style config or one of ours. */
    static final class Sizes {
        @Option(names = "--d2-config", description = "detectron2-style config as the authors write them (_BASE_ inheritance).")
        Path d2;
        @Option(names = "--config", description = "A model config of this framework (configs/model/*.yaml).")
        Path config;

        GkcModelConfig resolve(List<String> overrides) {
            if (d2 != null) {
                return D2Config.read(d2);
            }
            return Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), config, overrides);
        }
    }

    @Command(name = "forward", mixinStandardHelpOptions = true,
            description = "Run the network in inference mode: writes pred_masks.npy [L,N,Q,H/4,W/4], class_logits.npy [L,N,Q,K+1], sem_seg.npy [N,K,H,W].")
    static final class Forward implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--weights", required = true, description = "Network weights in the authors' key names: .safetensors, or a PyTorch .pth (a state dict, or detectron2's checkpoint dict with it under 'model').")
        Path weights;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Sizes sizes;
        @Option(names = "--images", required = true, description = "float32 [N,3,H,W], already normalised.")
        Path images;
        @Option(names = "--text-features", required = true, description = "float32 [K,E], not normalised.")
        Path text;
        @Option(names = "--out", required = true, description = "Output folder.")
        Path out;

        @Override
        public Integer call() throws Exception {
            GkcModelConfig cfg = sizes.resolve(List.of());
            Map<String, INDArray> w = WeightFiles.readAll(weights).tensors();
            INDArray x = Npy.read(images), t = Npy.read(text);
            if (x.rank() != 4 || x.size(1) != 3) {
                throw GkcException.of("images %s must be [N,3,H,W]; got %s", images, java.util.Arrays.toString(x.shape()));
            }
            if (t.rank() != 2 || t.size(1) != cfg.head().embedDim()) {
                throw GkcException.of("text features %s must be [K,%d]; got %s", text, cfg.head().embedDim(), java.util.Arrays.toString(t.shape()));
            }
            GkcPredictor.Result r = new GkcPredictor(cfg, w).run(x, t);
            Files.createDirectories(out);
            Npy.write(out.resolve("pred_masks.npy"), r.predMasks());
            Npy.write(out.resolve("class_logits.npy"), r.classLogits());
            Npy.write(out.resolve("sem_seg.npy"), r.semSeg());
            System.err.printf("gkc: wrote pred_masks %s, class_logits %s, sem_seg %s to %s%n", java.util.Arrays.toString(r.predMasks().shape()),
                    java.util.Arrays.toString(r.classLogits().shape()), java.util.Arrays.toString(r.semSeg().shape()), out);
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Parameter counts per part of the network.")
    static final class Info implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Sizes sizes;
        @Option(names = "--set", description = "Override a config key (a.b=value).")
        List<String> overrides = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            GkcModelConfig cfg = sizes == null ? GkcModelConfig.defaults() : sizes.resolve(overrides);
            OpFixes.install();
            GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).build();
            new GkcNetwork(ctx, cfg).forward(ctx.sd().placeHolder("images", DataType.FLOAT, 1, 3, 64, 64));
            Map<String, Long> parts = countParts(ctx);
            long inference = parts.entrySet().stream().filter(e -> !e.getKey().startsWith("aux")).mapToLong(Map.Entry::getValue).sum();
            System.out.println("| part | parameters | method document (paper size) |");
            System.out.println("|---|---|---|");
            Map<String, String> paper = Map.of("backbone (CLIP trunk, no attention pool)", "23,527,264", "pixel decoder", "~6.04 M",
                    "transformer decoder", "~14.52 M", "final projection + void + scale", "~0.26 M", "aux projections (training only)", "~2.37 M");
            parts.forEach((k, v) -> System.out.printf("| %s | %,d | %s |%n", k, v, paper.getOrDefault(k, "")));
            System.out.printf("| **inference total** | %,d | ~44.35 M |%n", inference);
            return 0;
        }

        static Map<String, Long> countParts(GraphContext ctx) {
            Map<String, Long> parts = new LinkedHashMap<>();
            ctx.state().forEach((k, v) -> {
                if (k.contains("running_")) {
                    return;
                }
                String part = k.startsWith("backbone.") ? "backbone (CLIP trunk, no attention pool)"
                        : k.startsWith("sem_seg_head.pixel_decoder.") ? "pixel decoder"
                        : k.startsWith("sem_seg_head.predictor.") ? "transformer decoder"
                        : k.startsWith("aux_") ? "aux projections (training only)" : "final projection + void + scale";
                parts.merge(part, v.getArr().length(), Long::sum);
            });
            return parts;
        }
    }
}
