package org.gkc4j.model;

/**
 * How much each clip a track runs through counts towards the track's class probabilities (their weighted mean over
 * the clips). One-to-one matching continues every track through every clip, also through clips in which its object
 * is absent or barely visible, where the query's class is least reliable.
 */
public enum TrackClassVote {
    /** Every clip the same. */
    UNIFORM {
        @Override
        double weight(float[][] masks) {
            return 1;
        }
    },
    /** Each clip by the track's soft area in it: the sum of its mask's sigmoid over the clip's frames and mask cells. */
    MASK_AREA {
        @Override
        double weight(float[][] masks) {
            double area = 0;
            for (float[] frame : masks) {
                for (float logit : frame) {
                    area += ClipStitcher.sigmoid(logit);
                }
            }
            return area;
        }
    };

    /** The weight of one clip, given the track's mask logits in it [frame][cell]. */
    abstract double weight(float[][] masks);
}
