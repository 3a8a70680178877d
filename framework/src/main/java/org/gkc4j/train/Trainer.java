package org.gkc4j.train;

import org.gkc4j.GkcException;
import org.gkc4j.criterion.Criterion;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.LossTerm;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.model.SegmentationNetwork;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.fix.OpFixes;
import org.gkc4j.nn.fix.ReleasingBackprop;
import org.gkc4j.util.OpTimeProfile;
import org.gkc4j.util.Quiet;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The training loop a multi-day run can trust: two passes per micro-batch (a forward pass for Hungarian matching,
 * then gradients of the criterion), gradient accumulation, full-model gradient-norm clipping, AdamW with parameter
 * groups (backbone multiplier; no decay on norms and embeddings), BatchNorm running statistics, and a per-step RNG
 * derived from (seed, step) so a resumed run repeats exactly what an uninterrupted one does.
 */
public final class Trainer {
    /** Loss terms (weighted, summed over prediction sets) and bookkeeping of one optimisation step. */
    public record StepResult(int step, double loss, Map<String, Double> terms, double gradNorm, double lr, double seconds,
                             Map<String, Double> phaseSeconds) {
    }

    private final GkcModelConfig modelConfig;
    private final TrainConfig cfg;
    private final GraphContext ctx;
    private final Criterion criterion;
    private final List<String> params = new ArrayList<>();
    private final AdamW adam = new AdamW();
    private final INDArray plainText;
    private final DataType dtype;
    private final OpTimeProfile profile;
    private int step;

    /**
     * @param init       starting weights by checkpoint key (e.g. the CLIP trunk as {@code backbone.*}); others are initialised
     * @param plainText  text embeddings [K,E] of the training class names (the plain vocabulary)
     * @param terms      builds the loss terms for this criterion configuration
     * @param height     training input size (fixed)
     */
    public Trainer(GkcModelConfig model, CriterionConfig criterionConfig, TrainConfig cfg, Function<CriterionConfig, List<LossTerm>> terms,
                   Map<String, INDArray> init, INDArray plainText, long height, long width, DataType dtype) {
        this(model, criterionConfig, cfg, terms, init, plainText, height, width, dtype, c -> new GkcNetwork(c, model));
    }

    /**
     * As above with the network {@code network} builds in the training graph (a video network reads
     * {@code framesPerSample} frames per sample; every batch then holds that many frames per sample).
     */
    public Trainer(GkcModelConfig model, CriterionConfig criterionConfig, TrainConfig cfg, Function<CriterionConfig, List<LossTerm>> terms,
                   Map<String, INDArray> init, INDArray plainText, long height, long width, DataType dtype,
                   Function<GraphContext, SegmentationNetwork> network) {
        OpFixes.install();
        this.modelConfig = model;
        this.cfg = cfg;
        this.dtype = dtype;
        this.plainText = plainText.castTo(dtype);
        ctx = GraphContext.builder().dtype(dtype).weights(init).seed(cfg.seed()).training(true).build();
        SegmentationNetwork net = network.apply(ctx);
        SDVariable images = ctx.sd().placeHolder("images", dtype, (long) cfg.batchSize() * net.framesPerSample(), 3, height, width);
        GkcNetwork.Outputs out = net.forward(images);
        long[] ms = ctx.shape(out.masks().get(0));
        LossTerm.Dims dims = new LossTerm.Dims(cfg.batchSize(), model.decoder().queries(), ms[2], ms[3],
                criterionConfig.maxTargetsPerImage(), criterionConfig.points(), (int) plainText.size(0), model.head().embedDim());
        criterion = new Criterion(ctx.root(), net, out, criterionConfig, terms.apply(criterionConfig), dims);
        ctx.state().forEach((k, v) -> {
            if (v.getVariableType() == VariableType.VARIABLE) {
                params.add(k);
            }
        });
        Quiet.createGradFunction(ctx.sd());
        profile = System.getProperty(OpTimeProfile.PROPERTY) == null ? null : new OpTimeProfile();
        if (profile != null) {
            ctx.sd().addListeners(profile);
        }
    }

    public SameDiff sameDiff() {
        return ctx.sd();
    }

    public GraphContext context() {
        return ctx;
    }

    public int step() {
        return step;
    }

    public TrainConfig config() {
        return cfg;
    }

    public GkcModelConfig modelConfig() {
        return modelConfig;
    }

    /** The RNG of one step: a pure function of the seed and the step, so resuming needs no RNG state. */
    public SplittableRandom rngFor(int step, int micro) {
        return new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L ^ (step * 1_000_003L + micro));
    }

    /** One optimisation step over {@code micro} (accumulated) batches. */
    public StepResult train(List<TrainingBatch> micro) {
        long start = System.nanoTime();
        Map<String, Double> phases = new LinkedHashMap<>();
        Map<String, INDArray> grads = new HashMap<>();
        Map<String, Double> terms = new LinkedHashMap<>();
        double loss = 0;
        for (int mi = 0; mi < micro.size(); mi++) {
            TrainingBatch batch = micro.get(mi);
            SplittableRandom rng = rngFor(step, mi);
            Map<String, INDArray> ph = new HashMap<>();
            ph.put("images", batch.images().castTo(dtype));
            ph.put(Criterion.PLAIN_TEXT, plainText);
            long t0 = System.nanoTime();
            Map<String, INDArray> forward = ctx.sd().output(ph, criterion.matchingOutputs().toArray(new String[0]));
            long t1 = System.nanoTime();
            ph.putAll(criterion.feed(batch, forward, rng));
            long t2 = System.nanoTime();
            phases.merge("forward", (t1 - t0) / 1e9, Double::sum);
            phases.merge("matching", (t2 - t1) / 1e9, Double::sum);
            List<String> outputs = new ArrayList<>(criterion.termOutputs().values());
            outputs.add(Criterion.LOSS);
            ParameterUpdate.addBatchNormOutputs(ctx, outputs);
            OutAndGrad og = ReleasingBackprop.run(ctx.sd(), ph, outputs, params);
            phases.merge("backward", (System.nanoTime() - t2) / 1e9, Double::sum);
            Map<String, INDArray> values = og.getOutputs();
            for (var e : criterion.termOutputs().entrySet()) {
                double v = values.get(e.getValue()).getDouble(0);
                if (!Double.isFinite(v)) {
                    throw GkcException.of("training diverged at step %d: loss term '%s' is %s", step, e.getKey(), v);
                }
                terms.merge(e.getKey(), v / micro.size(), Double::sum);
            }
            loss += values.get(Criterion.LOSS).getDouble(0) / micro.size();
            ParameterUpdate.accumulate(grads, params, og.getGradients(), micro.size());
            ParameterUpdate.updateBatchNorm(ctx, values);
        }
        double lr = cfg.lr() * cfg.lrFactor(step);
        double norm = ParameterUpdate.apply(ctx, params, grads, adam, lr, cfg.weightDecay(), cfg.gradClip(),
                cfg::lrMultiplier, step);
        int done = step;
        step++;
        ParameterUpdate.releaseNativeMemory(step, 10);
        writeProfile();
        double seconds = (System.nanoTime() - start) / 1e9;
        phases.put("update", seconds - phases.values().stream().mapToDouble(Double::doubleValue).sum());
        return new StepResult(done, loss, terms, norm, lr, seconds, phases);
    }

    /** Rewritten after every step (a small table), so an interrupted run still leaves one. */
    private void writeProfile() {
        if (profile != null) {
            try {
                profile.write(Path.of(System.getProperty(OpTimeProfile.PROPERTY)));
            } catch (IOException e) {
                throw GkcException.of("cannot write the op profile %s: %s", System.getProperty(OpTimeProfile.PROPERTY), e.getMessage());
            }
        }
    }

    /** Model weights and buffers by checkpoint key, in checkpoint layouts. */
    public LinkedHashMap<String, INDArray> stateDict() {
        return ctx.stateDict();
    }

    /** Everything a resumed run needs: model, optimiser moments (by parameter, graph layout) and the step. */
    public Checkpoint.State checkpointState() {
        Map<String, INDArray> optim = new LinkedHashMap<>();
        adam.state().forEach((k, v) -> optim.put(k, v));
        return new Checkpoint.State(stateDict(), optim, step, adam.steps());
    }

    public void restore(Checkpoint.State s) {
        ctx.load(s.model());
        adam.load(s.optimizer(), s.adamSteps());
        step = s.step();
    }
}
