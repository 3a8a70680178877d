package org.gkc4j.experiments;

import org.gkc4j.eval.SemSegEvaluator;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcPredictor;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.augment.Normalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;

/** Semantic label maps from a trained network against the text embeddings of any vocabulary. */
public final class SemanticPredictions {
    private final GkcPredictor predictor;
    private final INDArray text;
    private final INDArray classBias;

    public SemanticPredictions(GkcModelConfig model, Map<String, INDArray> weights, INDArray textFeatures) {
        this(model, weights, textFeatures, null);
    }

    /** {@code classBias} [K] is added to the class logits (see {@link SeenClassCalibration}); null for none. */
    public SemanticPredictions(GkcModelConfig model, Map<String, INDArray> weights, INDArray textFeatures, INDArray classBias) {
        this(new GkcPredictor(model, weights), textFeatures, classBias);
    }

    private SemanticPredictions(GkcPredictor predictor, INDArray textFeatures, INDArray classBias) {
        this.predictor = predictor;
        this.text = textFeatures;
        this.classBias = classBias;
    }

    /** The same network and vocabulary (and its built graphs, since the bias is a graph input) with another class bias. */
    public SemanticPredictions withClassBias(INDArray bias) {
        return new SemanticPredictions(predictor, text, bias);
    }

    /** Label maps (row-major class indices) of same-sized images, in one batch. */
    public int[][] predict(List<RgbImage> images) {
        int n = images.size();
        INDArray sem = predictor.run(batch(images), text, classBias).semSeg();   // [N,K,H,W]
        INDArray arg = Nd4j.argMax(sem, 1);                                                                 // [N,H,W]
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            out[i] = arg.get(NDArrayIndex.point(i)).dup('c').castTo(DataType.INT).data().asInt();
        }
        return out;
    }

    /** The last prediction set of same-sized images, unbiased: class logits [N,Q,K+1] and mask logits [N,Q,h,w]. */
    public record Queries(INDArray logits, INDArray masks) {
    }

    public Queries queries(List<RgbImage> images) {
        GkcPredictor.Result r = predictor.run(batch(images), text);
        long last = r.predMasks().size(0) - 1;
        return new Queries(r.classLogits().get(NDArrayIndex.point(last)).dup(),
                r.predMasks().get(NDArrayIndex.point(last)).dup());
    }

    /** Label maps with the two-stage classifier re-scoring the final prediction set's masks. */
    public int[][] predictTwoStage(List<RgbImage> images, TwoStageClassifier twoStage) {
        int n = images.size();
        GkcPredictor.Result r = predictor.run(batch(images), text);
        long last = r.predMasks().size(0) - 1;
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            INDArray masks = r.predMasks().get(NDArrayIndex.point(last), NDArrayIndex.point(i));
            INDArray logits = r.classLogits().get(NDArrayIndex.point(last), NDArrayIndex.point(i));
            if (classBias != null) {
                // the predictor returns unbiased logits; the calibration applies to the queries' side of the ensemble too
                logits = logits.dup();
                logits.get(NDArrayIndex.all(), NDArrayIndex.interval(0, classBias.length()))
                        .addiRowVector(classBias.reshape(1, -1).castTo(logits.dataType()));
            }
            out[i] = twoStage.segment(images.get(i), masks, logits);
        }
        return out;
    }

    private static INDArray batch(List<RgbImage> images) {
        RgbImage first = images.get(0);
        return Nd4j.create(Normalization.IMAGENET.batch(images, images.size()), new long[]{images.size(), 3, first.height(), first.width()}, 'c');
    }

    /** Adds a batch's predictions against ground truth (class per pixel, {@code ignore} for void) to the evaluator. */
    public static void accumulate(SemSegEvaluator eval, int[][] pred, int[][] gt) {
        for (int i = 0; i < pred.length; i++) {
            eval.add(pred[i], gt[i]);
        }
    }
}
