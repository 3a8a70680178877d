package org.gkc4j.nn.fix;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

import java.util.List;

/**
 * Sums {@code values} down to the shape of {@code like}, over the axes along which {@code like} was broadcast
 * (libnd4j's {@code tile_to_shape_bp}, which works out those axes at run time, so no static shape is needed while a
 * gradient graph is built). The op insists on at least one integer argument and reads none; a zero is passed.
 */
public class SumToShape extends DynamicCustomOp {
    public static final String OP_NAME = "tile_to_shape_bp";

    public SumToShape() {
    }

    public SumToShape(SameDiff sd, SDVariable like, SDVariable values) {
        super(sd, new SDVariable[]{like, values});
        addIArgument(0);
    }

    @Override
    public String opName() {
        return OP_NAME;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> inputTypes) {
        return List.of(inputTypes.get(1));
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grads) {
        throw new UnsupportedOperationException("second derivatives through a broadcast gradient are not supported");
    }
}
