package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.RgbImage;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hubness correction of open-vocabulary class logits, after the CSLS criterion of Conneau et al. (2018): a name whose
 * text embedding sits close to many query embeddings (a hub) takes objects that are not its own; in the synthetic
 * world that is how an unseen name near its colour's centre took every object of that colour. A name's hubness is the
 * mean of its {@code neighbours} largest logits over the object queries of unlabelled images (queries the network
 * calls an object, whose mask is not empty); the correction lowers each name's logit by {@code weight} times its
 * hubness minus the mean hubness, so the names keep their average against the void logit. Weight 0 changes nothing.
 * Estimated once per network and vocabulary; no labels are read.
 */
public record HubnessCorrection(double weight, double[] hubness) {
    public static final HubnessCorrection NONE = new HubnessCorrection(0, new double[0]);

    public HubnessCorrection {
        if (!Double.isFinite(weight) || weight < 0) {
            throw GkcException.of("the hubness weight must be a finite number >= 0, not %s", weight);
        }
        hubness = hubness.clone();
    }

    @Override
    public double[] hubness() {
        return hubness.clone();
    }

    public HubnessCorrection withWeight(double w) {
        return new HubnessCorrection(w, hubness);
    }

    /** The bias [K] to add to the class logits; null when the weight is zero. */
    public INDArray bias() {
        if (weight == 0) {
            return null;
        }
        double mean = Arrays.stream(hubness).average().orElse(0);
        float[] b = new float[hubness.length];
        for (int c = 0; c < b.length; c++) {
            b[c] = (float) (-weight * (hubness[c] - mean));
        }
        return Nd4j.create(b).castTo(DataType.FLOAT);
    }

    /** Object query rows [n, K] of class logits (void column dropped): the sample the hubness is measured on. */
    public static double[] fromLogits(List<float[]> objectLogits, int neighbours) {
        if (objectLogits.isEmpty()) {
            throw GkcException.of("no object queries in the unlabelled images: the hubness correction has nothing to measure");
        }
        if (neighbours < 1) {
            throw GkcException.of("evaluation.hubnessNeighbours must be >= 1, not %d", neighbours);
        }
        int k = objectLogits.get(0).length, n = objectLogits.size(), top = Math.min(neighbours, n);
        double[] out = new double[k];
        double[] column = new double[n];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < n; i++) {
                column[i] = objectLogits.get(i)[c];
            }
            Arrays.sort(column);
            double sum = 0;
            for (int i = n - top; i < n; i++) {
                sum += column[i];
            }
            out[c] = sum / top;
        }
        return out;
    }

    /**
     * The class logits (void dropped) of the object queries among the first {@code images} images: those whose void
     * probability is below one half and whose mask covers at least 0.5 % of the image on average (sigmoid).
     */
    static List<float[]> objectQueryLogits(SemanticPredictions.Queries q, int images) {
        INDArray logits = q.logits().castTo(DataType.FLOAT);
        INDArray coverage = Transforms.sigmoid(q.masks().castTo(DataType.FLOAT), true)
                .mean(2, 3);
        long queries = logits.size(1), k1 = logits.size(2);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            for (int j = 0; j < queries; j++) {
                float[] row = logits.get(NDArrayIndex.point(i), NDArrayIndex.point(j)).toFloatVector();
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (float v : row) {
                    max = Math.max(max, v);
                }
                for (float v : row) {
                    sum += Math.exp(v - max);
                }
                double pVoid = Math.exp(row[(int) k1 - 1] - max) / sum;
                if (pVoid < 0.5 && coverage.getDouble(i, j) >= 0.005) {
                    out.add(Arrays.copyOf(row, (int) k1 - 1));
                }
            }
        }
        return out;
    }

    /**
     * Measures the hubness of the network's vocabulary on unlabelled {@code images} (same size, any count), in
     * batches of {@code batch}. Without a single object query (an untrained network) every hubness is zero, so any
     * weight leaves the logits unchanged.
     */
    public static HubnessCorrection estimate(SemanticPredictions predictions, List<RgbImage> images, int batch, int neighbours) {
        List<float[]> rows = new ArrayList<>();
        long classes = 0;
        for (int start = 0; start < images.size(); start += batch) {
            List<RgbImage> part = new ArrayList<>(images.subList(start, Math.min(images.size(), start + batch)));
            int real = part.size();
            while (part.size() < batch) {
                part.add(part.get(0));   // one graph for every batch: pad with a repeat, ignore its output
            }
            SemanticPredictions.Queries q = predictions.queries(part);
            classes = q.logits().size(2) - 1;
            rows.addAll(objectQueryLogits(q, real));
        }
        if (rows.isEmpty()) {
            System.err.println("gkc: hubness: no object queries in the unlabelled images; the correction is zero");
            return new HubnessCorrection(0, new double[(int) classes]);
        }
        return new HubnessCorrection(0, fromLogits(rows, neighbours));
    }
}
