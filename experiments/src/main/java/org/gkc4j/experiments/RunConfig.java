package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.DistillationLoss;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.pipeline.text.SynonymSampler;
import org.gkc4j.train.TrainConfig;

import java.util.List;

/**
 * Everything one GKC training run needs, bound from YAML (defaults in one place: {@link #defaults()}). A variant
 * (an ablation, a sweep trial) is this config with some keys overridden.
 */
public record RunConfig(GkcModelConfig model, CriterionConfig criterion, TrainConfig train, Data data, Clip clip,
                        Diversification diversification, Distillation distillation, Grounding grounding, Alignment alignment,
                        Evaluation evaluation) {

    /**
     * Where images come from. {@code synthetic}: the built-in world (train on seen classes, evaluate on all), whose
     * layout {@code world} names (see {@link org.gkc4j.pipeline.synthetic.SyntheticWorld#LAYOUTS}). {@code coco-panoptic}
     * or a semantic dataset key ({@code coco-stuff-171}, {@code ade20k-150}, {@code cityscapes-19}, ...): its training
     * split under {@code root} ({@link TrainingData}).
     */
    public record Data(String dataset, String world, String root, int imageSize, int trainImages, int threads, int prefetch, String augment,
                       double minScale, double maxScale, long seed) {
        public static Data defaults() {
            return new Data("synthetic", SyntheticWorld.DEFAULT, "", 64, 2000, 2, 4, "authors", 0.8, 1.2, 0);
        }

        public Data withWorld(String name) {
            return new Data(dataset, name, root, imageSize, trainImages, threads, prefetch, augment, minScale, maxScale, seed);
        }

        /** The synthetic world this config names; an unknown name is a one-line error. */
        public SyntheticWorld syntheticWorld() {
            return world(world, "data.world");
        }

        /** The world of a name given by {@code source} (a config key or a flag, named in the error). */
        public static SyntheticWorld world(String name, String source) {
            try {
                return SyntheticWorld.named(name);
            } catch (IllegalArgumentException e) {
                throw new GkcException(source + ": " + e.getMessage());
            }
        }
    }

    public RunConfig withData(Data d) {
        return new RunConfig(model, criterion, train, d, clip, diversification, distillation, grounding, alignment, evaluation);
    }

    public RunConfig withModel(GkcModelConfig m) {
        return new RunConfig(m, criterion, train, data, clip, diversification, distillation, grounding, alignment, evaluation);
    }

    /** The same run with its relative CLIP paths (cache, weights, merges) taken from {@code home}, for a caller elsewhere. */
    public RunConfig withClipPathsFrom(java.nio.file.Path home) {
        java.util.function.UnaryOperator<String> at = s -> s == null || s.isEmpty() || s.equals("builtin") || java.nio.file.Path.of(s).isAbsolute() ? s : home.resolve(s).toString();
        Clip c = new Clip(at.apply(clip.weights()), at.apply(clip.merges()), clip.prompts(), at.apply(clip.cache()), clip.initBackbone(), clip.pretrain());
        return new RunConfig(model, criterion, train, data, c, diversification, distillation, grounding, alignment, evaluation);
    }

    /**
     * The CLIP whose text tower names the classes (and whose image tower is the trunk's initialisation and the
     * distillation teacher). {@code weights}: a file in OpenAI's key layout, safetensors or PyTorch (OpenAI's
     * {@code RN50.pt}, a state dict); {@code builtin} pretrains the tiny CLIP of the synthetic world by the recipe
     * {@code pretrain} (cached per recipe; ignored for given weights).
     */
    public record Clip(String weights, String merges, String prompts, String cache, boolean initBackbone, ClipPretrainConfig pretrain) {
        public static Clip defaults() {
            return new Clip("builtin", "", "raw", "runs/cache", true, ClipPretrainConfig.defaults());
        }
    }

    /**
     * Text diversification: synonym sampling and the synonym cross-entropy. On a dataset, the candidates come from
     * {@code synonyms} (a table from {@code gkc synonyms build}, keyed by the dataset's class names) or, when that is
     * empty, from WordNet 3.0 corrected by the optional {@code overrides} file; the synthetic world has its own table.
     */
    public record Diversification(boolean enabled, SynonymSampler.Mode sampler, double threshold, int topK, double weight,
                                  boolean padAsNegatives, String synonyms, String overrides) {
        public static Diversification defaults() {
            return new Diversification(true, SynonymSampler.Mode.THRESHOLD, 0.1, 0, 10.0, false, "", "");
        }

        public SynonymSampler toSampler() {
            return new SynonymSampler(sampler, threshold, topK);
        }
    }

    /**
     * The distillation teacher's features: the frozen CLIP image encoder's on masked region crops (its joint embedding,
     * its dense features pooled over the region, or layer4's pooled), or the start network's own.
     */
    public enum TeacherTarget {
        GLOBAL, DENSE_POOLED, RES5_POOLED,
        /** not CLIP: the matched query embedding of the network training starts from ({@link StartNetworkTeacher}; video runs) */
        START_NETWORK
    }

    /**
     * Where the teacher's features are placed: as the image encoder gives them, or moved across the modality gap
     * onto the text embeddings' centre ({@link ModalityGapShift}; not in the paper; global targets only).
     */
    public enum TeacherSpace { IMAGE, GAP_SHIFTED }

    /**
     * Which training segments are distilled: every one (the paper) or only those whose teacher feature is nearest to
     * their own name among the training names ({@link TeacherAgreement}; not in the paper; global targets only).
     */
    public enum TeacherTrust { ALL, AGREEING }

    public record Distillation(boolean enabled, DistillationLoss.Variant variant, DistillationLoss.StudentSource student,
                               TeacherTarget target, TeacherSpace space, TeacherTrust trust, double weight, int maxInstances) {
        public static Distillation defaults() {
            return new Distillation(true, DistillationLoss.Variant.TEXT_GUIDED, DistillationLoss.StudentSource.PRIOR, TeacherTarget.GLOBAL,
                    TeacherSpace.IMAGE, TeacherTrust.ALL, 10.0, 200);
        }
    }

    /** Image-caption grounding with nouns of one caption per image (off when the data has no captions). */
    public record Grounding(boolean enabled, double weight, int maxWords, int maxRegions) {
        public static Grounding defaults() {
            return new Grounding(false, 2.0, 5, 25);
        }
    }

    /**
     * Matched query embeddings pulled onto their names' text embeddings ({@link org.gkc4j.criterion.TextAlignmentLoss};
     * not in the paper, off by default).
     */
    public record Alignment(boolean enabled, double weight) {
        public static Alignment defaults() {
            return new Alignment(false, 2.0);
        }
    }

    /**
     * Held-out evaluation after training. {@code seenPenalties}: candidate seen-class penalties for calibrated
     * stacking ({@link SeenClassCalibration}); {@code hubnessWeights}: candidate weights of the {@link
     * HubnessCorrection}, whose statistics come from the validation scenes' images ({@code hubnessNeighbours} largest
     * logits per name). The best weight, then the best penalty, by harmonic mIoU on {@code validationImages}
     * validation scenes (never the test scenes) are reported beside the uncalibrated figures. Empty: no calibration.
     * On a dataset: {@code dataset} names the one whose validation split is scored (empty: the training dataset),
     * {@code images} bounds the images scored ({@code <= 0}: all), and calibration does not apply.
     * {@code atSteps}: training steps whose weights are kept ({@code snapshots/step-N.safetensors}) and scored like
     * the final ones, without calibration, into {@code metrics_by_step.json} (synthetic world only): seen and unseen
     * mIoU against training length within one run.
     */
    public record Evaluation(int images, int visualise, long seed, List<Double> seenPenalties, int validationImages,
                             List<Double> hubnessWeights, int hubnessNeighbours, String dataset, List<Integer> atSteps) {
        public static Evaluation defaults() {
            return new Evaluation(200, 8, 77, List.of(), 160, List.of(), 50, "", List.of());
        }
    }

    public static RunConfig defaults() {
        return new RunConfig(GkcModelConfig.defaults(), CriterionConfig.defaults(), TrainConfig.defaults(), Data.defaults(),
                Clip.defaults(), Diversification.defaults(), Distillation.defaults(), Grounding.defaults(), Alignment.defaults(),
                Evaluation.defaults());
    }

    /** Run names list the contributions that are on, for tables. */
    public String variantLabel() {
        List<String> parts = new java.util.ArrayList<>();
        if (diversification.enabled()) parts.add("TD");
        if (distillation.enabled()) {
            parts.add("KD-" + distillation.variant().name().toLowerCase() + (distillation.space() == TeacherSpace.GAP_SHIFTED ? "-gap" : ""));
        }
        if (grounding.enabled()) parts.add("ground");
        if (alignment.enabled()) parts.add("align");
        return parts.isEmpty() ? "baseline" : String.join("+", parts);
    }
}
