package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.pipeline.datasets.VipsegVariant;
import org.gkc4j.train.TrainConfig;

import java.util.List;
import java.util.Locale;

/**
 * A video network's training run on a real video dataset, bound from YAML ({@code configs/vipseg.yaml} is the
 * authors' recipe; defaults here): the image checkpoint it starts from ({@code init}), the data (VIPSeg's layout and
 * GKC's training variant), the optimisation, the criterion, caption grounding and how clips are joined at inference.
 * Validated when loaded: an unknown variant or an impossible clip schedule is a one-line error.
 */
public record VideoRunConfig(String init, Data data, TrainConfig train, CriterionConfig criterion, RunConfig.Grounding grounding,
                             VideoDemoConfig.Stitching stitching) {

    /** {@code variant}: {@code base_ignore} or {@code base_delete} (GKC's) or {@code all}; {@code trainFrames} per training clip. */
    public record Data(String dataset, String root, String variant, int imageSize, int trainFrames, int clipLength, int overlap) {
        public Data {
            if (!dataset.equals("vipseg")) {
                throw GkcException.of("data.dataset: only vipseg has a video reader, not '%s'", dataset);
            }
            parse(variant);
            if (trainFrames < 1 || imageSize % 32 != 0) {
                throw GkcException.of("data.trainFrames must be at least 1 (got %d) and data.imageSize a multiple of 32 (got %d)", trainFrames, imageSize);
            }
            try {
                org.gkc4j.model.ClipStitcher.starts(clipLength + 1, clipLength, overlap);
            } catch (IllegalArgumentException e) {
                throw GkcException.of("data.clipLength / data.overlap: %s", e.getMessage());
            }
        }

        public static Data defaults() {
            return new Data("vipseg", "", "base_ignore", 512, 2, 4, 1);
        }

        public VipsegVariant vipsegVariant() {
            return parse(variant);
        }

        private static VipsegVariant parse(String variant) {
            try {
                return VipsegVariant.valueOf(variant.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw GkcException.of("data.variant must be base_ignore, base_delete or all, not '%s'", variant);
            }
        }
    }

    public static VideoRunConfig defaults() {
        TrainConfig t = TrainConfig.defaults();
        TrainConfig train = new TrainConfig(6000, 16, 1, 1e-4, t.weightDecay(), t.backboneLrMultiplier(), t.gradClip(), TrainConfig.Schedule.STEP,
                t.warmupIters(), t.warmupFactor(), List.of(4000.0 / 6000), t.gamma(), t.polyPower(), 500, t.logEvery(), 0);
        return new VideoRunConfig("", Data.defaults(), train, CriterionConfig.defaults(), RunConfig.Grounding.defaults(), VideoDemoConfig.Stitching.defaults());
    }
}
