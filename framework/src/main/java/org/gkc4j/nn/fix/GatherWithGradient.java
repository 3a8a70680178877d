package org.gkc4j.nn.fix;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterAdd;
import org.nd4j.linalg.api.ops.impl.shape.Gather;

import java.util.List;

/**
 * {@code gather} of rows (axis 0, 1-D indices) whose backward pass works in M2.1: the gradient of the gathered rows is
 * added back into their source rows (the stock backward fails, issues #9756/#9669). Installed in place of the stock
 * class by {@link OpFixes#install()}, because SameDiff re-creates ops from their serialised form when it builds the
 * gradient graph.
 * <p>
 * The scatter is {@code scatter_add} with its lock argument set. Measured in M2.1 (200,000 rows of 32 into 100,000):
 * {@code unsorted_segment_sum} leaks about 54 MB of native memory per call for rows wider than one element (the r50
 * training step grew by 0.7 GB a step at 256x256, the demo by 15 MB a step) and takes 0.56 s; {@code scatter_add}
 * without the lock races on repeated indices (wrong sums); with it, it is exact, repeatable, leak-free and takes 0.37 s.
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
        // cannot be checked here); with 1-D indices the incoming gradient is [n, params.shape[1:]]: add its rows into their source rows
        ScatterAdd scatter = new ScatterAdd(sameDiff, sameDiff.zerosLike(params), indices.castTo(DataType.INT), grads.get(0));
        scatter.addBArgument(true, false);   // lock: serialise updates of the same row; no index check
        return List.of(scatter.outputVariable(), sameDiff.zerosLike(indices));
    }
}
