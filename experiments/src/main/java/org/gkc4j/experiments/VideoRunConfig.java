package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.pipeline.datasets.VipsegVariant;
import org.gkc4j.train.TrainConfig;

import java.util.List;
import java.util.Locale;

/**
 * A video network's training run on a real video dataset, bound from YAML ({@code configs/vipseg.yaml} is the
 * authors' recipe; defaults here): the image checkpoint it starts from ({@code init}) and where its CLIP is on this
 * machine, the data (VIPSeg's layout and GKC's training variant), the optimisation, the criterion, GKC's two text
 * contributions (the image run config's sections, applied per track: one synonym draw per track for its whole clip,
 * one teacher feature per track, the mean over the frames that show it), caption grounding and how clips are joined
 * at inference, and whether the delivered weights are averaged with {@code init}'s ({@code averaging.imageShares}: one share,
 * 0 as the authors do). Validated when loaded: an unknown variant or an impossible clip schedule is a one-line error.
 */
public record VideoRunConfig(String init, Clip clip, Data data, TrainConfig train, CriterionConfig criterion,
                             RunConfig.Diversification diversification, RunConfig.Distillation distillation, RunConfig.Grounding grounding,
                             VideoDemoConfig.Stitching stitching, VideoDemoConfig.Averaging averaging) {
    public VideoRunConfig {
        if (averaging.imageShares().size() != 1) {
            throw GkcException.of("averaging.imageShares: train-video takes one share (it has no validation videos to choose on), not %s",
                    averaging.imageShares());
        }
    }

    /**
     * The CLIP of the image run {@code init} (its text space is the network's; its image tower is the distillation
     * teacher) where this machine has it, and the cache folder: each empty setting is the one the image run recorded.
     */
    public record Clip(String weights, String merges, String cache) {
        public static Clip defaults() {
            return new Clip("", "", "");
        }

        /** The image run's CLIP settings with this one's non-empty ones in their place. */
        public RunConfig.Clip over(RunConfig.Clip image) {
            return new RunConfig.Clip(weights.isEmpty() ? image.weights() : weights, merges.isEmpty() ? image.merges() : merges, image.prompts(),
                    cache.isEmpty() ? image.cache() : cache, image.initBackbone(), image.pretrain());
        }
    }

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
        // both text contributions on, as the image recipe (configs/coco-panoptic.yaml) and the paper's GKC row of Table 3
        return new VideoRunConfig("", Clip.defaults(), Data.defaults(), train, CriterionConfig.defaults(), RunConfig.Diversification.defaults(),
                RunConfig.Distillation.defaults(), RunConfig.Grounding.defaults(), VideoDemoConfig.Stitching.defaults(),
                VideoDemoConfig.Averaging.fixed(0));   // the authors' recipe: the fine-tuned weights alone
    }
}
