package org.gkc4j.nn.fix;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.shape.Gather;

import java.util.List;

/**
 * {@code gather} of rows (axis 0, 1-D indices) whose backward pass works in M2.1: the gradient of the gathered rows is scattered back
 * with a segment sum over the indices (the stock backward fails, issues #9756/#9669). Installed in place of the stock
 * class by {@link OpFixes#install()}, because SameDiff re-creates ops from their serialised form when it builds the
 * gradient graph.
 */
public class GatherWithGradient extends Gather {
    public GatherWithGradient() {
    }

    public GatherWithGradient(SameDiff sd, SDVariable params, SDVariable indices) {
        super(sd, params, indices, 0, false);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grads) {
        if (jaxis != 0) {
            return super.doDiff(grads);
        }
        SDVariable params = arg(0);
        SDVariable indices = arg(1);
        // callers pass 1-D indices (shapes of graph values are unknown while the gradient graph is built, so this
        // cannot be checked here); with 1-D indices the incoming gradient is [n, params.shape[1:]]: sum its rows back into their source rows
        SDVariable rows = sameDiff.sizeAt(params, 0).castTo(DataType.INT);
        SDVariable paramGrad = sameDiff.unsortedSegmentSum(grads.get(0), indices.castTo(DataType.INT), rows);
        return List.of(paramGrad, sameDiff.zerosLike(indices));
    }
}
