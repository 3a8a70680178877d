package org.gkc4j.train;

import org.gkc4j.nn.exec.GraphExecution;
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

    /** The RNG of one step's draws over the whole batch: a pure function of the seed and the step, so resuming needs no RNG state. */
    public SplittableRandom rngFor(int step, int micro) {
        return new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L ^ (step * 1_000_003L + micro));
    }

    /**
     * The RNG of image {@code image} (its position in the step's micro-batch {@code micro}, counted over the whole
     * batch): its draws do not depend on which other images share its worker.
     */
    public SplittableRandom imageRng(int step, int micro, long image) {
        return new SplittableRandom(rngFor(step, micro).nextLong() ^ (image + 1) * 0xBF58476D1CE4E5B9L);
    }

    /**
     * One micro-batch (or a worker's shard of it, starting at image {@code firstImage} of the whole micro-batch) fed
     * for the current weights: the forward pass, the matching and every placeholder but the terms' shares.
     */
    public record Fed(Criterion.Prepared prepared, double forwardSeconds, double matchingSeconds) {
    }

    /** The gradients of a batch or a shard of one, already divided by the number of micro-batches; loss terms likewise. */
    public record Gradients(Map<String, INDArray> grads, double loss, Map<String, Double> terms, Map<String, Double> phaseSeconds) {
    }

    public Fed feed(TrainingBatch batch, int micro, long firstImage) {
        List<SplittableRandom> rngs = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) {
            rngs.add(imageRng(step, micro, firstImage + b));
        }
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("images", batch.images().castTo(dtype));
        ph.put(Criterion.PLAIN_TEXT, plainText);
        long t0 = System.nanoTime();
        Map<String, INDArray> forward = GraphExecution.output(ctx.sd(), ph, List.copyOf(criterion.matchingOutputs()));
        long t1 = System.nanoTime();
        Criterion.Prepared p = criterion.prepare(batch, forward, rngs, rngFor(step, micro));
        ph.putAll(p.placeholders());
        return new Fed(new Criterion.Prepared(ph, p.counts()), (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
    }

    /**
     * The gradients of a fed batch whose terms divide by {@code globalCounts} (the sums of {@link Criterion.Prepared#counts}
     * over the shards of the whole batch; a batch's own counts when it is whole), divided by {@code micros}.
     * Updates BatchNorm running statistics where the graph computes batch statistics.
     */
    public Gradients gradients(Fed fed, Map<String, Double> globalCounts, int micros) {
        long t0 = System.nanoTime();
        Map<String, INDArray> ph = new HashMap<>(fed.prepared().placeholders());
        ph.putAll(criterion.shares(fed.prepared().counts(), globalCounts));
        List<String> outputs = new ArrayList<>(criterion.termOutputs().values());
        outputs.add(Criterion.LOSS);
        ParameterUpdate.addBatchNormOutputs(ctx, outputs);
        OutAndGrad og = ReleasingBackprop.run(ctx.sd(), ph, outputs, params);
        Map<String, INDArray> values = og.getOutputs();
        Map<String, Double> terms = new LinkedHashMap<>();
        for (var e : criterion.termOutputs().entrySet()) {
            double v = values.get(e.getValue()).getDouble(0);
            if (!Double.isFinite(v)) {
                throw GkcException.of("training diverged at step %d: loss term '%s' is %s", step, e.getKey(), v);
            }
            terms.put(e.getKey(), v / micros);
        }
        double loss = values.get(Criterion.LOSS).getDouble(0) / micros;
        Map<String, INDArray> grads = new HashMap<>();
        ParameterUpdate.accumulate(grads, params, og.getGradients(), micros);
        ParameterUpdate.updateBatchNorm(ctx, values);
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("forward", fed.forwardSeconds());
        phases.put("matching", fed.matchingSeconds());
        phases.put("backward", (System.nanoTime() - t0) / 1e9);
        return new Gradients(grads, loss, terms, phases);
    }

    /** Adds {@code b} into {@code a} (gradients, loss terms, phase seconds). */
    public static Gradients sum(Gradients a, Gradients b) {
        if (a == null) {
            return b;
        }
        Map<String, INDArray> g = new HashMap<>(a.grads());
        b.grads().forEach((k, v) -> g.merge(k, v, INDArray::add));
        Map<String, Double> t = new LinkedHashMap<>(a.terms()), ph = new LinkedHashMap<>(a.phaseSeconds());
        b.terms().forEach((k, v) -> t.merge(k, v, Double::sum));
        b.phaseSeconds().forEach((k, v) -> ph.merge(k, v, Double::sum));
        return new Gradients(g, a.loss() + b.loss(), t, ph);
    }

    /** One optimisation step over {@code micro} (accumulated) batches. */
    public StepResult train(List<TrainingBatch> micro) {
        long start = System.nanoTime();
        Gradients total = null;
        for (int mi = 0; mi < micro.size(); mi++) {
            Fed fed = feed(micro.get(mi), mi, 0);
            total = sum(total, gradients(fed, fed.prepared().counts(), micro.size()));
        }
        return apply(total, start);
    }

    /**
     * The optimisation step with the whole batch's gradients: clipping, AdamW, the step counter. {@code start} is
     * when the step began ({@link System#nanoTime}); phases the gradients did not time count as "update".
     */
    public StepResult apply(Gradients g, long start) {
        double lr = cfg.lr() * cfg.lrFactor(step);
        double norm = ParameterUpdate.apply(ctx, params, new HashMap<>(g.grads()), adam, lr, cfg.weightDecay(), cfg.gradClip(),
                cfg::lrMultiplier, step);
        int done = step;
        step++;
        ParameterUpdate.releaseNativeMemory(step, 10);
        writeProfile();
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> phases = new LinkedHashMap<>(g.phaseSeconds());
        phases.put("update", Math.max(0, seconds - phases.values().stream().mapToDouble(Double::doubleValue).sum()));
        return new StepResult(done, g.loss(), g.terms(), norm, lr, seconds, phases);
    }

    /** The trainable parameters' names, in graph order. */
    public List<String> parameterNames() {
        return java.util.Collections.unmodifiableList(params);
    }

    /** Sets the trainable parameters (another replica's values) and the step they belong to. */
    public void setParameters(Map<String, INDArray> values, int step) {
        for (String p : params) {
            INDArray v = values.get(p);
            if (v == null) {
                throw new IllegalArgumentException("no value for parameter " + p);
            }
            ctx.sd().getArrForVarName(p).assign(v);
        }
        this.step = step;
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

    /** AdamW's moments by "m."/"v." + parameter (the optimiser's own arrays, not copies). */
    public Map<String, INDArray> optimizerState() {
        return adam.state();
    }

    public void restore(Checkpoint.State s) {
        ctx.load(s.model());
        adam.load(s.optimizer(), s.adamSteps());
        step = s.step();
    }
}
