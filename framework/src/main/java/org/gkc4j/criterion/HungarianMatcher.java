package org.gkc4j.criterion;

import org.gkc4j.data.ImageTargets;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Mask2Former's matcher for one image and one prediction set: cost = class x -p(label) + mask x point BCE +
 * dice x point dice over one shared set of uniform points, minimised exactly by {@link LinearAssignment}.
 */
public final class HungarianMatcher {
    private final CriterionConfig cfg;

    public HungarianMatcher(CriterionConfig cfg) {
        this.cfg = cfg;
    }

    /**
     * predMasks [Q,h,w] logits, probs [Q,K+1] (softmax of the plain-name logits), the image's targets and the shared
     * points; returns the query matched to each segment (-1 if there are more segments than queries).
     */
    public int[] match(INDArray predMasks, INDArray probs, ImageTargets targets, double[][] points) {
        if (targets.count() == 0) {
            return new int[0];
        }
        return LinearAssignment.solve(cost(predMasks, probs, targets, points));
    }

    /** The cost [segment][query] the assignment minimises. */
    double[][] cost(INDArray predMasks, INDArray probs, ImageTargets targets, double[][] points) {
        int n = targets.count();
        int q = (int) predMasks.size(0), p = points[0].length;
        INDArray x = Nd4j.createFromArray(PointSampler.sample(predMasks, points[0], points[1])).castTo(DataType.DOUBLE);   // [Q,P]
        INDArray y = Nd4j.createFromArray(PointSampler.sample(targets.masks(), points[0], points[1])).castTo(DataType.DOUBLE); // [N,P]
        INDArray pos = Transforms.softPlus(x.neg(), true), neg = Transforms.softPlus(x, true);
        INDArray costMask = pos.mmul(y.transpose()).addi(neg.mmul(y.rsub(1.0).transpose())).divi(p);                   // [Q,N]
        INDArray sig = Transforms.sigmoid(x, true);
        INDArray numer = sig.mmul(y.transpose()).muli(2).addi(1);
        INDArray denom = sig.sum(1).reshape(q, 1).broadcast(q, n).add(y.sum(1).reshape(1, n).broadcast(q, n)).addi(1);
        INDArray costDice = numer.div(denom).rsubi(1.0);
        INDArray pr = probs.castTo(DataType.DOUBLE);
        double[][] cost = new double[n][q];
        for (int j = 0; j < n; j++) {
            int label = targets.labels()[j];
            for (int i = 0; i < q; i++) {
                cost[j][i] = cfg.costMask() * costMask.getDouble(i, j) + cfg.costDice() * costDice.getDouble(i, j)
                        - cfg.costClass() * pr.getDouble(i, label);
            }
        }
        return cost;
    }
}
