package org.gkc4j.nn.fix;

import org.gkc4j.nn.exec.Recomputable;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterAdd;
import org.nd4j.linalg.api.ops.impl.shape.Gather;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code gather} of rows (axis 0, 1-D indices) whose backward pass works in M2.1: the gradient of the gathered rows is
 * added back into their source rows (the stock backward fails, issues #9756/#9669). Installed in place of the stock
 * class by {@link OpFixes#install()}, because SameDiff re-creates ops from their serialised form when it builds the
 * gradient graph.
 * <p>
 * Rows wider than one element are added with {@code scatter_add} and its lock argument. Measured in M2.1 (200,000 rows
 * of 32 into 100,000): {@code unsorted_segment_sum} leaks about 54 MB of native memory per call for such rows (the r50
 * training step grew by 0.7 GB a step at 256x256, the demo by 15 MB a step) and takes 0.56 s; {@code scatter_add}
 * without the lock races on repeated indices (wrong sums); with it, it is exact, repeatable, leak-free and takes 0.37 s.
 * <p>
 * Rows of one element (a flattened map sampled at points: the mask losses) are declared at construction
 * ({@link #singleColumn}); their backward is {@code unsorted_segment_sum}, which for such rows does not leak, is exact
 * and repeatable, and is 2.5-5x faster than the locked scatter (129,024 rows: 55 against 250 ms). The flag is a
 * serialised property because the op cannot see its operands' shapes while the gradient graph is built.
 */
public class GatherWithGradient extends Gather implements Recomputable {
    private static final String SINGLE_COLUMN = "gkcSingleColumn";
    private static final String RECOMPUTED = "gkcRecomputed";
    private boolean singleColumn;
    private boolean recomputed;

    public GatherWithGradient() {
    }

    public GatherWithGradient(SameDiff sd, SDVariable params, SDVariable indices) {
        this(sd, params, indices, false);
    }

    /** @param singleColumn whether {@code params} is [rows, 1] (the caller knows its static shape) */
    public GatherWithGradient(SameDiff sd, SDVariable params, SDVariable indices, boolean singleColumn) {
        super(sd, params, indices, 0, false);
        this.singleColumn = singleColumn;
    }

    /**
     * Marks the gathered rows to be gathered again for the backward (see {@link Recomputable}) rather than held from the
     * forward: for rows sampled many times over from a smaller table. Returns this op.
     */
    public GatherWithGradient recomputedForBackward() {
        this.recomputed = true;
        return this;
    }

    @Override
    public boolean recomputedForLaterReaders() {
        return recomputed;
    }

    @Override
    public Map<String, Object> propertiesForFunction() {
        Map<String, Object> props = new LinkedHashMap<>(super.propertiesForFunction());
        props.put(SINGLE_COLUMN, singleColumn);
        props.put(RECOMPUTED, recomputed);
        return props;
    }

    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
        Map<String, Object> rest = new LinkedHashMap<>(properties);
        Object single = rest.remove(SINGLE_COLUMN);
        Object again = rest.remove(RECOMPUTED);
        super.setPropertiesForFunction(rest);
        singleColumn = flag(single);
        recomputed = flag(again);
    }

    /** A serialised boolean property: SameDiff hands it back as a Boolean or a one-element boolean[]. */
    private static boolean flag(Object value) {
        return value instanceof Boolean b ? b : value instanceof boolean[] a && a.length == 1 && a[0];
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grads) {
        if (jaxis != 0) {
            return super.doDiff(grads);
        }
        SDVariable params = arg(0);
        SDVariable indices = arg(1).castTo(DataType.INT);
        // callers pass 1-D indices (shapes of graph values are unknown while the gradient graph is built, so this
        // cannot be checked here); with 1-D indices the incoming gradient is [n, params.shape[1:]]: add its rows into their source rows
        if (singleColumn) {
            SDVariable rows = sameDiff.sizeAt(params, 0);
            return List.of(sameDiff.unsortedSegmentSum(grads.get(0), indices, rows), sameDiff.zerosLike(arg(1)));
        }
        ScatterAdd scatter = new ScatterAdd(sameDiff, sameDiff.zerosLike(params), indices, grads.get(0));
        scatter.addBArgument(true, false);   // lock: serialise updates of the same row; no index check
        return List.of(scatter.outputVariable(), sameDiff.zerosLike(arg(1)));
    }
}
