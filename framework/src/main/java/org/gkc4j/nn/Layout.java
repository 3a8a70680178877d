package org.gkc4j.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a parameter is stored inside the graph relative to its checkpoint layout. Checkpoints keep PyTorch's layouts
 * (conv weights OIHW); a graph may hold a permuted copy so no op re-lays it out on every pass. Import applies
 * {@link #toGraph}, export {@link #toCheckpoint}.
 */
public enum Layout {
    /** Stored as in the checkpoint. */
    SAME,
    /** Conv weight: checkpoint [O,I,kH,kW], graph [kH,kW,I,O] (SameDiff's YXIO, whose backward works in M2.1). */
    CONV_YXIO;

    public INDArray toGraph(INDArray checkpoint) {
        return switch (this) {
            case SAME -> checkpoint;
            case CONV_YXIO -> checkpoint.permute(2, 3, 1, 0).dup('c');
        };
    }

    public INDArray toCheckpoint(INDArray graph) {
        return switch (this) {
            case SAME -> graph;
            case CONV_YXIO -> graph.permute(3, 2, 0, 1).dup('c');
        };
    }

    public long[] graphShape(long[] checkpointShape) {
        return switch (this) {
            case SAME -> checkpointShape;
            case CONV_YXIO -> new long[]{checkpointShape[2], checkpointShape[3], checkpointShape[1], checkpointShape[0]};
        };
    }
}
