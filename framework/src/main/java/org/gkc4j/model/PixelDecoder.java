package org.gkc4j.model;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/** Turns the trunk's res2..res5 into mask features (stride 4) and three multi-scale maps for the decoder. */
public interface PixelDecoder {
    /** Multi-scale maps in the decoder's level order: strides 32, 16, 8. */
    record Output(SDVariable maskFeatures, List<SDVariable> multiScale) {
    }

    Output forward(List<SDVariable> features);
}
