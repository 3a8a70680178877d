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
        subcommands = {BenchCommand.Clip.class, BenchCommand.Model.class, BenchCommand.Pipeline.class, BenchCommand.Inference.class,
                BenchCommand.Video.class, ExecutorBench.class})
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
        @Option(names = "--profile-ops", description = "Also write where the batch-1 image forward spends its time, by op kind (TSV), and the trunk forward+backward's beside it (FILE.trunk.tsv).")
        Path profileOps;

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
            if (profileOps != null) {
                org.gkc4j.util.OpTimeProfile profile = new org.gkc4j.util.OpTimeProfile();
                one.addListener(profile);
                for (int i = 0; i < reps; i++) {
                    one.encode(x1);
                }
                profile.write(profileOps);
            }
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
            // the trainers' backprop (intermediates freed as soon as they are dead), so the figure is what training pays
            out.printf("| trunk forward+backward 224, batch 1 | %.3f | 0.31 |%n",
                    Timing.median(1, reps, () -> org.gkc4j.nn.fix.ReleasingBackprop.run(ctx.sd(), ph, List.of(), params)));
            if (profileOps != null) {
                org.gkc4j.util.OpTimeProfile profile = new org.gkc4j.util.OpTimeProfile();
                ctx.sd().addListeners(profile);
                for (int i = 0; i < reps; i++) {
                    org.gkc4j.nn.fix.ReleasingBackprop.run(ctx.sd(), ph, List.of(), params);
                }
                profile.write(profileOps.resolveSibling(profileOps.getFileName() + ".trunk.tsv"));
                ctx.sd().setListeners();
            }
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

    /** A freshly initialised network's weights (checkpoint layout) for timing without trained weights. */
    static org.gkc4j.model.GkcModelConfig modelConfig(Path file) {
        return org.gkc4j.config.Configs.load(org.gkc4j.model.GkcModelConfig.class, org.gkc4j.model.GkcModelConfig.defaults(), file, List.of());
    }

    static Map<String, INDArray> randomNetwork(org.gkc4j.model.GkcModelConfig cfg) {
        GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).seed(1).build();
        new org.gkc4j.model.GkcNetwork(ctx, cfg).forward(ctx.sd().placeHolder("images", DataType.FLOAT, 1, 3, 64, 64));
        return ctx.stateDict();
    }

    /** Synthetic training batches at the given size (scene render, joint augmentation, normalisation). */
    static org.gkc4j.pipeline.SegmentationLoader syntheticLoader(int size, int batch, int threads) {
        var world = new org.gkc4j.pipeline.synthetic.SyntheticWorld();
        var gen = new org.gkc4j.pipeline.synthetic.SceneGenerator(world, size);
        var source = new org.gkc4j.pipeline.RecordReaderSource(new org.gkc4j.pipeline.synthetic.SyntheticRecordReader(gen),
                org.gkc4j.pipeline.synthetic.SyntheticRecordReader.split(0, 500, org.gkc4j.pipeline.synthetic.SceneGenerator.Split.ALL), "bench");
        var cfg = new org.gkc4j.pipeline.LoaderConfig(batch, threads, 4, 0, org.gkc4j.pipeline.augment.AugmentConfig.authors(size), false);
        return new org.gkc4j.pipeline.SegmentationLoader(source, cfg, org.gkc4j.pipeline.augment.Normalization.IMAGENET, List.of());
    }

    /** A trainer with the base criterion (masks and plain-name classes) over random text, for timing. */
    static org.gkc4j.train.Trainer baseTrainer(org.gkc4j.model.GkcModelConfig cfg, Map<String, INDArray> init, int batch, int size) {
        var tc = new org.gkc4j.train.TrainConfig(1000, batch, 1, 1e-4, 0.05, 0.1, 0.01, org.gkc4j.train.TrainConfig.Schedule.CONSTANT, 0, 1,
                List.of(), 0.1, 0.9, 1000, 10, 0);
        return new org.gkc4j.train.Trainer(cfg, org.gkc4j.criterion.CriterionConfig.defaults(), tc, c -> List.of(new org.gkc4j.criterion.MaskLosses.Bce(c),
                new org.gkc4j.criterion.MaskLosses.Dice(c), new org.gkc4j.criterion.ClassLoss(c)), init,
                Nd4j.randn(DataType.FLOAT, 26, cfg.head().embedDim()), size, size, DataType.FLOAT);
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "The GKC network at one size (default the paper's r50 at 512x512, random weights): inference seconds per image, training step seconds per image (matching, criterion, update), peak memory.")
    static final class Model implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--config", defaultValue = "configs/model/r50.yaml", description = "Model config (default ${DEFAULT-VALUE}).")
        Path config;
        @Option(names = "--size", defaultValue = "512", description = "Input size (default ${DEFAULT-VALUE}).")
        int size;
        @Option(names = "--classes", defaultValue = "150", description = "Vocabulary size at inference (default ${DEFAULT-VALUE}).")
        int classes;
        @Option(names = "--reps", defaultValue = "3", description = "Measured repetitions (default ${DEFAULT-VALUE}).")
        int reps;
        @Option(names = "--native-limit-search", description = "Run the measurement in child JVMs, under the launcher's native limit (GKC_NATIVE_MEMORY) and then bisecting it, and print the lowest limit under which it still passes.")
        boolean nativeLimitSearch;
        @Option(names = "--limit-step", defaultValue = "256", description = "Resolution of the native limit search, MiB (default ${DEFAULT-VALUE}).")
        long limitStep;
        @Option(names = "--limit-floor", defaultValue = "0", description = "Lowest native limit the search tries, MiB (default: a quarter of the default run's peak RSS).")
        long limitFloor;
        @Option(names = "--child-timeout", defaultValue = "3600", description = "Seconds before a child of the search counts as failed and is killed (default ${DEFAULT-VALUE}; after the default run at most 3x its time + 2 min).")
        long childTimeout;
        @Option(names = "--result-line", hidden = true, description = "Print a machine-readable result line last (the search's children).")
        boolean resultLine;

        @Override
        public Integer call() throws Exception {
            if (nativeLimitSearch) {
                org.gkc4j.GkcException.check(limitStep > 0 && childTimeout > 0 && limitFloor >= 0,
                        "--limit-step and --child-timeout must be positive and --limit-floor not negative: %d, %d, %d", limitStep, childTimeout, limitFloor);
                return NativeLimitSearch.run(System.out, List.of("--config", config.toString(), "--size", Integer.toString(size),
                                "--classes", Integer.toString(classes), "--reps", Integer.toString(reps)),
                        limitFloor, limitStep, java.time.Duration.ofSeconds(childTimeout));
            }
            double[] step = {Double.NaN};
            try {
                measure(step);
            } catch (Throwable e) {
                if (resultLine) {
                    System.out.println(NativeLimitSearch.failLine(Timing.peakRssMb(), step[0], e));
                    System.out.flush();
                }
                throw e;
            }
            if (resultLine) {
                System.out.println(NativeLimitSearch.passLine(Timing.peakRssMb(), step[0]));
                System.out.flush();
            }
            return 0;
        }

        /** The measurement; {@code step[0]}: the training step's median seconds once it is known. */
        private void measure(double[] step) throws Exception {
            PrintStream out = System.out;
            OpFixes.install();
            var cfg = modelConfig(config);
            Map<String, INDArray> weights = randomNetwork(cfg);
            long params = weights.entrySet().stream().filter(e -> !e.getKey().contains("running_")).mapToLong(e -> e.getValue().length()).sum();
            out.printf("model %s: %,d parameters, input %dx%d; OMP_NUM_THREADS=%s%n", config, params, size, size, System.getenv("OMP_NUM_THREADS"));
            out.println("| workload | median s per image |");
            out.println("|---|---|");
            INDArray image = Nd4j.randn(DataType.FLOAT, 1, 3, size, size), text = Nd4j.randn(DataType.FLOAT, classes, cfg.head().embedDim());
            var predictor = new org.gkc4j.model.GkcPredictor(cfg, weights);
            out.printf("| forward (inference, %d classes) | %.3f |%n", classes, Timing.median(1, reps, () -> predictor.run(image, text)));
            long inferenceRss = Timing.peakRssMb();
            predictor.close();   // the inference graph's arrays are not needed while the trainer is timed
            System.gc();
            var trainer = baseTrainer(cfg, weights, 1, size);
            try (var loader = syntheticLoader(size, 1, 2)) {
                var last = new org.gkc4j.train.Trainer.StepResult[1];
                double t = Timing.median(1, reps, () -> last[0] = trainer.train(List.of(loader.next())));
                step[0] = t;
                out.printf("| training step (forward for matching, forward+backward, update), batch 1 | %.3f |%n", t);
                last[0].phaseSeconds().forEach((k, v) -> out.printf("| - %s (last step) | %.3f |%n", k, v));
            }
            out.printf("peak RSS: %d MB after inference, %d MB after training steps%n", inferenceRss, Timing.peakRssMb());
            memoryBreakdown(out, trainer);
        }
    }

    /**
     * Where the training step's memory sits once the steps have run: the lean executor's buffers of the two graphs a
     * step executes (the forward for matching and the gradient graph; one pool when they share it), what the
     * gradient graph's buffers hold at its peak by kind of op, the parameters, AdamW's moments, and the rest of the
     * resident memory (the JVM and its heap, the native libraries, freed native memory the allocator keeps, other
     * arrays).
     */
    static void memoryBreakdown(PrintStream out, org.gkc4j.train.Trainer trainer) {
        var sd = trainer.sameDiff();
        var grad = sd.getFunction("grad");
        System.gc();
        out.printf("| memory after the training steps (executor %s) | MB |%n", org.gkc4j.nn.exec.GraphExecution.selected().name().toLowerCase());
        out.println("|---|---|");
        long accounted = 0;
        boolean shared = grad != null && org.gkc4j.nn.exec.GraphExecution.leanSharesBuffers(sd, grad);
        for (var g : List.of(Map.entry("forward for matching", sd), Map.entry("gradient graph (forward + backward)", grad))) {
            if (g.getValue() == null) {
                continue;
            }
            long pool = org.gkc4j.nn.exec.GraphExecution.leanPooledBytes(g.getValue());
            long[] peak = org.gkc4j.nn.exec.GraphExecution.leanPeakBytes(g.getValue());
            if (shared && g.getValue() == sd) {
                out.printf("| lean buffers, %s: drawn from the gradient graph's (most in use in one call; values in them) | 0 (%.0f; %.0f) |%n",
                        g.getKey(), peak[0] / 1e6, peak[1] / 1e6);
                continue;
            }
            out.printf("| lean buffers, %s%s (most in use in one call; values in them) | %.0f (%.0f; %.0f) |%n", g.getKey(),
                    shared ? ", shared with the forward for matching" : "", pool / 1e6, peak[0] / 1e6, peak[1] / 1e6);
            accounted += pool;
        }
        if (grad != null) {
            var rows = org.gkc4j.nn.exec.GraphExecution.leanPeakComposition(grad);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < Math.min(8, rows.size()); i++) {
                b.append(i == 0 ? "" : ", ").append(rows.get(i).getKey()).append(String.format(" %.0f", rows.get(i).getValue() / 1e6));
            }
            out.printf("| - the gradient graph's peak by the op that produced each held value, MB | %s |%n", b);
        }
        long params = 0, constants = 0, gradOwn = 0;
        for (var v : sd.getVariables().values()) {
            var t = v.getVariable().getVariableType();
            if (t == org.nd4j.autodiff.samediff.VariableType.VARIABLE || t == org.nd4j.autodiff.samediff.VariableType.CONSTANT) {
                INDArray a = sd.getArrForVarName(v.getName());
                long b = a == null ? 0 : a.length() * a.dataType().width();
                if (t == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
                    params += b;
                } else {
                    constants += b;
                }
                INDArray other = grad == null || !grad.hasVariable(v.getName()) ? null : grad.getArrForVarName(v.getName());
                if (other != null && a != null && other.data().addressPointer().address() != a.data().addressPointer().address()) {
                    gradOwn += b;   // the gradient graph holds its own copy
                }
            }
        }
        long moments = 0;
        for (INDArray a : trainer.optimizerState().values()) {
            moments += a.length() * a.dataType().width();
        }
        out.printf("| parameters | %.0f |%n", params / 1e6);
        out.printf("| constants of the graph | %.0f |%n", constants / 1e6);
        out.printf("| copies of those in the gradient graph | %.0f |%n", gradOwn / 1e6);
        out.printf("| AdamW moments | %.0f |%n", moments / 1e6);
        accounted += params + constants + gradOwn + moments;
        long resident = org.bytedeco.javacpp.Pointer.physicalBytes();
        Runtime rt = Runtime.getRuntime();
        out.printf("| the rest: JVM, Java heap (%.0f in use, %.0f committed), native libraries, freed memory the allocator keeps, other arrays | %.0f |%n",
                (rt.totalMemory() - rt.freeMemory()) / 1e6, rt.totalMemory() / 1e6, (resident - accounted) / 1e6);
        out.printf("| resident now (peak) | %.0f (%d) |%n", resident / 1e6, Timing.peakRssMb());
    }

    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = "Images/s of the data pipeline at 512x512 (render or decode, joint augmentation, normalisation, background threads) against the trainer's own images/s.")
    static final class Pipeline implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--size", defaultValue = "512", description = "Crop size (default ${DEFAULT-VALUE}).")
        int size;
        @Option(names = "--images", defaultValue = "64", description = "Images to load (default ${DEFAULT-VALUE}).")
        int images;
        @Option(names = "--config", defaultValue = "configs/model/small.yaml", description = "Model whose trainer is timed (default ${DEFAULT-VALUE}).")
        Path config;

        @Override
        public Integer call() throws Exception {
            PrintStream out = System.out;
            OpFixes.install();
            int batch = 4;
            double pipeline;
            try (var loader = syntheticLoader(size, batch, 2)) {
                loader.next();
                long t0 = System.nanoTime();
                for (int i = 0; i < images / batch; i++) {
                    loader.next();
                }
                pipeline = (images / batch) * batch / ((System.nanoTime() - t0) / 1e9);
            }
            var cfg = modelConfig(config);
            var trainer = baseTrainer(cfg, Map.of(), 2, size);
            double trainer_ips;
            try (var loader = syntheticLoader(size, 2, 2)) {
                double t = Timing.median(1, 2, () -> trainer.train(List.of(loader.next())));
                trainer_ips = 2 / t;
            }
            out.printf("| at %dx%d | images/s |%n|---|---|%n", size, size);
            out.printf("| data pipeline (2 background threads, batch %d) | %.1f |%n", batch, pipeline);
            out.printf("| trainer, %s, batch 2 | %.2f |%n", config, trainer_ips);
            out.printf("the pipeline is %.0fx faster than the trainer consumes%n", pipeline / trainer_ips);
            return 0;
        }
    }

    @Command(name = "inference", mixinStandardHelpOptions = true,
            description = "GKC single-stage against two-stage (per-mask CLIP) inference on the same images and size: images/s and the time split. Defaults: the paper's r50 network at 512 and a full-size RN50 CLIP at 224, random weights.")
    static final class Inference implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--config", defaultValue = "configs/model/r50.yaml", description = "GKC model config (default ${DEFAULT-VALUE}).")
        Path config;
        @Option(names = "--size", defaultValue = "512", description = "Input size (default ${DEFAULT-VALUE}).")
        int size;
        @Option(names = "--classes", defaultValue = "150", description = "Vocabulary size (default ${DEFAULT-VALUE}).")
        int classes;
        @Option(names = "--masks", defaultValue = "100", description = "Masks the two-stage mode classifies with CLIP per image (default: every query, ${DEFAULT-VALUE}).")
        int masks;
        @Option(names = "--reps", defaultValue = "3", description = "Measured repetitions (default ${DEFAULT-VALUE}).")
        int reps;

        @Override
        public Integer call() throws Exception {
            PrintStream out = System.out;
            OpFixes.install();
            var cfg = modelConfig(config);
            ClipConfig cc = cfg.head().embedDim() == 1024 ? ClipConfig.rn50()
                    : new ClipConfig(cfg.head().embedDim(), 224, cfg.backbone().layers(), cfg.backbone().width(), 77, 49408, 512, 8, 12);
            ClipWeights clip = ClipWeights.random(cc, 1);
            Map<String, INDArray> weights = randomNetwork(cfg);
            INDArray image = Nd4j.randn(DataType.FLOAT, 1, 3, size, size);
            // the trunk alone, and trunk + pixel decoder, from the same weights, to split the single-stage time
            GraphContext trunkCtx = GraphContext.builder().dtype(DataType.FLOAT).weights(weights).trainable(k -> false).build();
            SDVariable ti = trunkCtx.sd().placeHolder("images", DataType.FLOAT, 1, 3, size, size);
            List<SDVariable> stages = new ModifiedResNet(trunkCtx.scope("backbone"), cfg.backbone().layers(), cfg.backbone().width(), false).forward(ti);
            String res5 = stages.get(3).name();
            GraphContext pdCtx = GraphContext.builder().dtype(DataType.FLOAT).weights(weights).trainable(k -> false).build();
            SDVariable pi = pdCtx.sd().placeHolder("images", DataType.FLOAT, 1, 3, size, size);
            List<SDVariable> pstages = new ModifiedResNet(pdCtx.scope("backbone"), cfg.backbone().layers(), cfg.backbone().width(), false).forward(pi);
            String maskFeatures = new org.gkc4j.model.MsDeformAttnPixelDecoder(pdCtx.scope("sem_seg_head.pixel_decoder"), cfg.pixelDecoder(),
                    cfg.backboneChannels()).forward(pstages).maskFeatures().name();
            double trunk = Timing.median(1, reps, () -> org.gkc4j.nn.exec.GraphExecution.output(trunkCtx.sd(), Map.of("images", image), res5));
            double trunkPd = Timing.median(1, reps, () -> org.gkc4j.nn.exec.GraphExecution.output(pdCtx.sd(), Map.of("images", image), maskFeatures));
            INDArray ids = Nd4j.create(DataType.INT, classes, 77);
            for (int i = 0; i < classes; i++) {
                ids.putScalar(i, 0, 49406);
                ids.putScalar(i, 1, 320 + i);
                ids.putScalar(i, 2, 1000 + i);
                ids.putScalar(i, 3, 49407);
            }
            ClipTextEncoder textEncoder = new ClipTextEncoder(clip, null, Math.min(classes, 80));
            INDArray[] text = new INDArray[1];
            double textCold = Timing.once(() -> text[0] = textEncoder.encodeIds(ids));
            var cache = new java.util.HashMap<String, INDArray>();
            double textCached = Timing.median(0, reps, () -> cache.computeIfAbsent("vocabulary", k -> text[0]));
            var predictor = new org.gkc4j.model.GkcPredictor(cfg, weights);
            double full = Timing.median(1, reps, () -> predictor.run(image, text[0]));
            int crop = cc.imageResolution();
            ClipImageEncoder maskEncoder = new ClipImageEncoder(clip, 8, crop, crop, false);
            INDArray crops = Nd4j.randn(DataType.FLOAT, 8, 3, crop, crop);
            double perBatch = Timing.median(1, reps, () -> maskEncoder.encode(crops));
            double perMaskClip = perBatch * Math.ceil(masks / 8.0);
            double single = full, twoStage = full + perMaskClip;
            out.printf("GKC %s at %dx%d, %d classes; two-stage: CLIP %s on %d masks per image (crops %dx%d, batch 8); random weights%n",
                    config, size, size, classes, cc.summary(), masks, crop, crop);
            out.println("| part | seconds per image |");
            out.println("|---|---|");
            out.printf("| CLIP trunk (res2..res5) | %.3f |%n", trunk);
            out.printf("| pixel decoder | %.3f |%n", Math.max(0, trunkPd - trunk));
            out.printf("| transformer decoder, heads and semantic map | %.3f |%n", Math.max(0, full - trunkPd));
            out.printf("| text encoding of the vocabulary, cold (once per vocabulary) | %.3f |%n", textCold);
            out.printf("| text encoding, cached | %.6f |%n", textCached);
            out.printf("| per-mask CLIP image encoder (two-stage only) | %.3f |%n", perMaskClip);
            out.println();
            out.println("| mode | images/s |");
            out.println("|---|---|");
            out.printf("| GKC single-stage | %.3f |%n", 1 / single);
            out.printf("| two-stage (per-mask CLIP) | %.3f |%n", 1 / twoStage);
            out.printf("single-stage is %.1fx faster than two-stage on this machine (the paper: about 3.5x on a V100 against SimBaseline)%n", twoStage / single);
            out.printf("peak RSS %d MB%n", Timing.peakRssMb());
            return 0;
        }
    }

    @Command(name = "video", mixinStandardHelpOptions = true,
            description = "The video network clip by clip on one long synthetic video (random weights and frames), labelled against several vocabularies from one pass: seconds, the full-resolution frames of masks the stitcher held at once, live heap and RSS.")
    static final class Video implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--config", defaultValue = "configs/model/tiny.yaml", description = "GKC model config (default ${DEFAULT-VALUE}).")
        Path config;
        @Option(names = "--frames", defaultValue = "40", description = "Frames of the video (default ${DEFAULT-VALUE}).")
        int frames;
        @Option(names = "--size", defaultValue = "256", description = "Frame size, a multiple of 32 (default ${DEFAULT-VALUE}).")
        int size;
        @Option(names = "--clip", defaultValue = "4", description = "Clip length (default ${DEFAULT-VALUE}).")
        int clip;
        @Option(names = "--overlap", defaultValue = "1", description = "Frames neighbouring clips share (default ${DEFAULT-VALUE}).")
        int overlap;
        @Option(names = "--classes", split = ",", defaultValue = "124,112,12", description = "Vocabulary sizes (default: VIPSeg's ${DEFAULT-VALUE}).")
        List<Integer> classes;

        @Override
        public Integer call() throws Exception {
            org.gkc4j.GkcException.check(size >= 32 && size % 32 == 0, "--size must be a positive multiple of 32, not %d", size);
            org.gkc4j.GkcException.check(frames >= clip && clip >= 1 && overlap >= 0 && overlap < clip, "--frames %d, --clip %d, --overlap %d: need frames >= clip > overlap >= 0", frames, clip, overlap);
            PrintStream out = System.out;
            OpFixes.install();
            var cfg = modelConfig(config);
            var predictor = new org.gkc4j.model.VideoPredictor(cfg, randomNetwork(cfg), clip, overlap, org.gkc4j.experiments.VideoDemoConfig.Stitching.defaults().stitcher());
            Nd4j.getRandom().setSeed(1);
            INDArray video = Nd4j.randn(DataType.FLOAT, frames, 3, size, size);
            List<INDArray> vocabularies = new ArrayList<>();
            for (int k : classes) {
                vocabularies.add(Nd4j.randn(DataType.FLOAT, k, cfg.head().embedDim()));
            }
            predictor.predict(video.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, clip)), vocabularies);   // the graph is built before measuring
            long idle = liveHeap();
            long[] peak = {idle};
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak[0] = Math.max(peak[0], liveHeap());
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            double seconds = Timing.once(() -> predictor.predict(video, vocabularies));
            sampler.interrupt();
            sampler.join();
            int clips = org.gkc4j.model.ClipStitcher.starts(frames, clip, overlap).size();
            double frameMb = cfg.decoder().queries() * (double) size * size * 4 / 1e6;
            out.printf("video network %s, %d queries; %d frames of %dx%d, clips of %d overlapping by %d (%d clips), vocabularies %s, one network pass%n",
                    config, cfg.decoder().queries(), frames, size, size, clip, overlap, clips, classes);
            out.println("| figure | value |");
            out.println("|---|---|");
            out.printf("| seconds for the video | %.1f |%n", seconds);
            out.printf("| full-resolution frames of masks held at once | %d (%.0f MB; all clips kept: %d frames, %.0f MB) |%n",
                    predictor.peakFullResolutionFrames(), predictor.peakFullResolutionFrames() * frameMb, clips * clip, clips * clip * frameMb);
            out.printf("| masks kept at the mask resolution (1/16 of the pixels) until the video ends | %.0f MB |%n", clips * clip * frameMb / 16);
            out.printf("| peak live heap above idle (sampled after a GC every 0.3 s) | %.0f MB |%n", (peak[0] - idle) / 1e6);
            out.printf("| peak RSS of the process | %d MB |%n", Timing.peakRssMb());
            return 0;
        }

        private static long liveHeap() {
            System.gc();
            long used = 0;
            for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                    used += pool.getUsage().getUsed();
                }
            }
            return used;
        }
    }
}
