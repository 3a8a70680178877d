package org.gkc4j.experiments;

import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.DistillationLoss;
import org.gkc4j.model.ClipStitcher;
import org.gkc4j.model.TrackClassVote;
import org.gkc4j.pipeline.text.SynonymSampler;
import org.gkc4j.train.TrainConfig;

import java.util.List;

/**
 * The video demo ({@code gkc demo video}), bound from YAML ({@code configs/demo-video.yaml}; defaults here): the
 * image demo run it starts from (its network, weights, CLIP and world), the synthetic videos, the fine-tuning recipe
 * and how clips are joined at inference. {@code diversification} and {@code distillation} are the image method's
 * (same sections as a run config), applied per track: one synonym draw per track for its whole clip, and one teacher
 * feature per track, the mean over the frames that show it. Both are off by default (plain segmentation losses).
 */
public record VideoDemoConfig(String imageRun, Videos videos, TrainConfig train, CriterionConfig criterion, Stitching stitching,
                              RunConfig.Diversification diversification, RunConfig.Distillation distillation, Averaging averaging) {

    /**
     * {@code trainFrames}: frames of a training clip; {@code clipLength} and {@code overlap}: the clips inference runs
     * over a video; every video has {@code frames} frames (VSPW's mVC16 needs more than 16).
     */
    public record Videos(int frames, int trainVideos, int evalVideos, int trainFrames, int clipLength, int overlap, int visualise, long seed) {
        public static Videos defaults() {
            return new Videos(20, 400, 120, 3, 4, 1, 2, 0);
        }
    }

    /**
     * Weights of mask soft IoU and query-embedding cosine when a clip's queries are matched to the previous clip's, and
     * how much each clip counts towards a track's class.
     */
    public record Stitching(double maskWeight, double embeddingWeight, TrackClassVote classVote) {
        public static Stitching defaults() {
            return new Stitching(1.0, 0.5, TrackClassVote.MASK_AREA);
        }

        public ClipStitcher stitcher() {
            return new ClipStitcher(maskWeight, embeddingWeight, classVote);
        }
    }

    /**
     * The delivered video weights: s x the image weights it started from + (1 - s) x the fine-tuned weights
     * ({@link org.gkc4j.train.WeightAveraging}; s = 0: the fine-tuned weights alone). With one share it is used as
     * given; with several, the one whose network has the highest harmonic mIoU on {@code validationVideos} videos
     * (drawn apart from the training and test videos) is.
     */
    public record Averaging(List<Double> imageShares, int validationVideos) {
        public Averaging {
            imageShares = List.copyOf(imageShares);
            if (imageShares.isEmpty() || imageShares.stream().anyMatch(s -> !(s >= 0 && s <= 1))) {
                throw org.gkc4j.GkcException.of("averaging.imageShares must hold shares in [0, 1], not %s", imageShares);
            }
            if (imageShares.size() > 1 && validationVideos < 1) {
                throw org.gkc4j.GkcException.of("averaging.validationVideos must be at least 1 to choose among %s", imageShares);
            }
        }

        public static Averaging defaults() {
            return new Averaging(List.of(0.0, 0.25, 0.5, 0.75, 1.0), 24);
        }

        /** One share, no choice. */
        public static Averaging fixed(double imageShare) {
            return new Averaging(List.of(imageShare), 0);
        }
    }

    public static VideoDemoConfig defaults() {
        TrainConfig train = new TrainConfig(250, 2, 1, 1e-4, 0.05, 0.1, 1.0, TrainConfig.Schedule.STEP, 10, 0.1, List.of(0.8), 0.1, 0.9, 50, 1, 0);
        CriterionConfig c = CriterionConfig.defaults();
        CriterionConfig criterion = new CriterionConfig(c.maskWeight(), c.diceWeight(), c.classWeight(), c.voidWeight(), c.regionDropout(),
                1024, c.oversample(), c.importance(), c.costClass(), c.costMask(), c.costDice(), c.deepSupervision(), 8);
        // diversification: the image demo's settings, switched off; distillation: the image network as the teacher of
        // the query embeddings, read directly (no projection the image checkpoint lacks)
        RunConfig.Diversification diversification = new RunConfig.Diversification(false, SynonymSampler.Mode.THRESHOLD, 0.1, 0, 2.0, false, "", "");
        RunConfig.Distillation distillation = new RunConfig.Distillation(true, DistillationLoss.Variant.VANILLA, DistillationLoss.StudentSource.DIRECT,
                RunConfig.TeacherTarget.START_NETWORK, RunConfig.TeacherSpace.IMAGE, RunConfig.TeacherTrust.ALL, 10.0, 200);
        return new VideoDemoConfig("runs/demo", Videos.defaults(), train, criterion, Stitching.defaults(), diversification, distillation, Averaging.defaults());
    }
}
