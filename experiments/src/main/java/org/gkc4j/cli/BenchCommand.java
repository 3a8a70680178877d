package org.gkc4j.cli;

import org.gkc4j.clip.ClipConfig;
import org.gkc4j.clip.ClipImageEncoder;
import org.gkc4j.clip.ClipTextEncoder;
import org.gkc4j.clip.ClipTokenizer;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.clip.ModifiedResNet;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.fix.OpFixes;
import org.gkc4j.util.Quiet;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures (medians of repeated runs).",
        subcommands = {BenchCommand.Clip.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "clip", mixinStandardHelpOptions = true,
            description = "Full-size RN50 CLIP (random weights, real layout): image forward at 224 (batch 1 and 8), trunk forward+backward, 80 prompts.")
    static final class Clip implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--reps", defaultValue = "5", description = "Measured repetitions (default ${DEFAULT-VALUE}).")
        int reps;
        @Option(names = "--vocab", description = "BPE merges file for the prompts (default: a synthetic token sequence of the same length).")
        Path vocab;

        @Override
        public Integer call() throws Exception {
            PrintStream out = System.out;
            OpFixes.install();
            ClipWeights w = ClipWeights.random(ClipConfig.rn50(), 1);
            out.printf("RN50 CLIP, random weights; OMP_NUM_THREADS=%s, %d cores%n", System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
            out.println("| workload | median s | PyTorch 1.13 anchor (2 threads) |");
            out.println("|---|---|---|");
            ClipImageEncoder one = new ClipImageEncoder(w, 1, 224, 224, false);
            INDArray x1 = Nd4j.randn(DataType.FLOAT, 1, 3, 224, 224);
            out.printf("| image forward 224, batch 1 | %.3f | 0.10 |%n", Timing.median(1, reps, () -> one.encode(x1)));
            ClipImageEncoder eight = new ClipImageEncoder(w, 8, 224, 224, false);
            INDArray x8 = Nd4j.randn(DataType.FLOAT, 8, 3, 224, 224);
            out.printf("| image forward 224, batch 8 (per image) | %.3f | - |%n", Timing.median(1, Math.max(1, reps / 2), () -> eight.encode(x8)) / 8);
            // trunk forward + backward with trainable BatchNorm (the GKC student's mode)
            GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).weights(w.visual()).training(true).build();
            SDVariable img = ctx.sd().placeHolder("image", DataType.FLOAT, 1, 3, 224, 224);
            List<SDVariable> stages = new ModifiedResNet(ctx.scope("visual"), w.config().visionLayers(), w.config().visionWidth(), true).forward(img);
            SDVariable res5 = stages.get(3);
            SDVariable loss = res5.mul(ctx.sd().constant(Nd4j.rand(DataType.FLOAT, ctx.shape(res5)))).sum().rename("loss");
            ctx.sd().setLossVariables("loss");
            Quiet.createGradFunction(ctx.sd());
            List<String> params = new ArrayList<>();
            ctx.state().forEach((k, v) -> {
                if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) params.add(k);
            });
            Map<String, INDArray> ph = Map.of("image", x1);
            out.printf("| trunk forward+backward 224, batch 1 | %.3f | 0.31 |%n",
                    Timing.median(1, reps, () -> ctx.sd().calculateGradients(ph, params)));
            // text: 80 prompts of 77 tokens
            ClipTokenizer tok = vocab == null ? null : ClipTokenizer.load(vocab);
            INDArray ids = Nd4j.create(DataType.INT, 80, 77);
            if (tok != null) {
                List<String> prompts = new ArrayList<>();
                for (int i = 0; i < 80; i++) prompts.add("a photo of a class number " + i + ".");
                ids = tok.tokenize(prompts);
            } else {
                for (int i = 0; i < 80; i++) {
                    ids.putScalar(i, 0, 49406);
                    for (int t = 1; t < 8; t++) ids.putScalar(i, t, 320 + i + t);
                    ids.putScalar(i, 8, 49407);
                }
            }
            INDArray idsFinal = ids;
            ClipTextEncoder text = new ClipTextEncoder(w, null, 80);
            double cold = Timing.once(() -> text.encodeIds(idsFinal));
            out.printf("| text encoding, 80 prompts (first call, with graph build) | %.3f | - |%n", cold);
            out.printf("| text encoding, 80 prompts | %.3f | 9.2 |%n", Timing.median(0, Math.max(1, reps / 2), () -> text.encodeIds(idsFinal)));
            out.printf("peak RSS %d MB%n", Timing.peakRssMb());
            return 0;
        }
    }
}
