package org.gkc4j.clip;

import org.gkc4j.GkcException;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.fix.OpFixes;
import org.gkc4j.nn.fix.ReleasingBackprop;
import org.gkc4j.nn.loss.Losses;
import org.gkc4j.train.AdamW;
import org.gkc4j.train.ParameterUpdate;
import org.gkc4j.util.Quiet;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Contrastive image-caption pretraining of a CLIP (ModifiedResNet image tower with attention pool, text
 * transformer) with a symmetric InfoNCE loss and a learnable temperature (clamped at 100, as CLIP). Parameters carry
 * OpenAI's key names, so {@link #weights} exports exactly the layout the importer reads.
 */
public final class ClipTrainer {
    public record Step(int step, double loss, double logitScale, double seconds) {
    }

    private final ClipConfig cfg;
    private final GraphContext ctx;
    private final List<String> params = new ArrayList<>();
    private final AdamW adam = new AdamW(0.9, 0.98, 1e-6, false);   // element-wise: see AdamW
    private final int batch;
    private final double weightDecay;
    private int step;

    /**
     * @param batchStatistics BatchNorm from batch statistics (as CLIP trained); false keeps the statistics at
     *                        their initial identity and folds the learnable affine into the convolutions, which
     *                        trains several times faster in SameDiff M2.1
     */
    public ClipTrainer(ClipConfig cfg, int batch, double weightDecay, long seed, boolean batchStatistics) {
        this(cfg, batch, weightDecay, seed, batchStatistics, DataType.FLOAT);
    }

    public ClipTrainer(ClipConfig cfg, int batch, double weightDecay, long seed, boolean batchStatistics, DataType dtype) {
        OpFixes.install();
        this.cfg = cfg;
        this.batch = batch;
        this.weightDecay = weightDecay;
        ctx = GraphContext.builder().dtype(dtype).seed(seed).training(true).build();
        SameDiff sd = ctx.sd();
        SDVariable images = sd.placeHolder("images", dtype, batch, 3, cfg.imageResolution(), cfg.imageResolution());
        SDVariable ids = sd.placeHolder("input_ids", DataType.INT, batch, cfg.contextLength());
        SDVariable logitScale = ctx.root().param("logit_scale", Init.constant(Math.log(1 / 0.07)));
        List<SDVariable> stages = new ModifiedResNet(ctx.scope("visual"), cfg.visionLayers(), cfg.visionWidth(), batchStatistics).forward(images);
        SDVariable image = new AttentionPool2d(ctx.scope("visual.attnpool"), cfg.gridSize(), cfg.visionEmbed(), cfg.visionHeads(), cfg.embedDim())
                .forward(stages.get(3));
        SDVariable text = new TextTransformer(ctx.root(), cfg).forward(ids);
        SDVariable fi = Losses.l2Normalize(sd, image, 1), ft = Losses.l2Normalize(sd, text, 1);
        SDVariable logits = fi.mmul(ft.permute(1, 0)).mul(sd.math().exp(logitScale));          // [B images, B texts]
        SDVariable eye = sd.constant(Nd4j.eye(batch).castTo(dtype));
        SDVariable imageToText = Losses.logSoftmax(sd, logits, 1).mul(eye).sum().div(-batch);
        SDVariable textToImage = Losses.logSoftmax(sd, logits, 0).mul(eye).sum().div(-batch);
        imageToText.add(textToImage).mul(0.5).rename("loss");
        sd.setLossVariables("loss");
        ctx.state().forEach((k, v) -> {
            if (v.getVariableType() == VariableType.VARIABLE) {
                params.add(k);
            }
        });
        Quiet.createGradFunction(sd);
    }

    /** One step on images [B,3,R,R] (CLIP-normalised) and their captions' ids [B, context]. */
    public Step train(INDArray images, INDArray ids, double lr) {
        long start = System.nanoTime();
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("images", images.castTo(ctx.dtype()));
        ph.put("input_ids", ids.castTo(DataType.INT));
        List<String> outputs = new ArrayList<>(List.of("loss"));
        ParameterUpdate.addBatchNormOutputs(ctx, outputs);
        OutAndGrad og = ReleasingBackprop.run(ctx.sd(), ph, outputs, params);
        double loss = og.getOutputs().get("loss").getDouble(0);
        if (!Double.isFinite(loss)) {
            throw GkcException.of("CLIP pretraining diverged at step %d: the loss is %s", step, loss);
        }
        ParameterUpdate.updateBatchNorm(ctx, og.getOutputs());
        Map<String, INDArray> grads = new HashMap<>(og.getGradients());
        ParameterUpdate.apply(ctx, params, grads, adam, lr, weightDecay, 1.0, p -> 1.0, step);
        INDArray scale = ctx.sd().getArrForVarName("logit_scale");
        if (scale.getDouble(0) > Math.log(100)) {
            scale.assign(Math.log(100));
        }
        step++;
        ParameterUpdate.releaseNativeMemory(step, 10);
        return new Step(step - 1, loss, Math.exp(scale.getDouble(0)), (System.nanoTime() - start) / 1e9);
    }

    /** The trained model in OpenAI's layout (running statistics included). */
    public ClipWeights weights() {
        LinkedHashMap<String, INDArray> sd = ctx.stateDict();
        LinkedHashMap<String, INDArray> ordered = new LinkedHashMap<>();
        for (String k : cfg.expectedShapes().keySet()) {
            INDArray v = sd.get(k);
            if (v == null) {
                throw new IllegalStateException("the trainer has no tensor " + k);
            }
            ordered.put(k, k.equals("logit_scale") ? v.reshape() : v);
        }
        return new ClipWeights(cfg, ordered);
    }

    /** The graph (tests check its gradients). */
    public SameDiff sameDiff() {
        return ctx.sd();
    }

    public int batch() {
        return batch;
    }

    public ClipConfig config() {
        return cfg;
    }
}
