package org.gkc4j.experiments;

import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.LossTerm;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.TrackEnricher;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.gkc4j.pipeline.text.SynonymScores;
import org.gkc4j.pipeline.text.TextDiversification;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A video run's text contributions assembled from its config, the same for the video demo and VIPSeg training: the
 * image method's caches (synonym scores, teacher features) over every frame of the training videos, presented as a
 * training set ({@link TrainingData}) so {@link TrainingSetup} computes, caches and resumes them exactly as for
 * images; {@link TrackEnricher} turning them into one synonym draw and one teacher feature per track of a clip, because
 * a clip's queries are shared by its frames; and the criterion's terms ({@link TrainingSetup#terms}).
 *
 * @param tracks  null when neither contribution is on (plain track targets)
 * @param scores  the per-frame synonym scores (null without diversification)
 * @param teacher the per-frame teacher features as distilled (null without distillation)
 */
record VideoTrainingSetup(TrackEnricher tracks, SynonymScores scores, TeacherFeatureStore teacher,
                          Function<CriterionConfig, List<LossTerm>> terms) {

    /**
     * The run config the caches and loss terms read: the image run's network, data and CLIP with the video run's
     * criterion and text contributions; no caption grounding (video sets have no captions) and no alignment.
     */
    static RunConfig runConfig(RunConfig image, RunConfig.Clip clip, CriterionConfig criterion, RunConfig.Diversification diversification,
                               RunConfig.Distillation distillation) {
        return new RunConfig(image.model(), criterion, image.train(), image.data(), clip, diversification, distillation,
                new RunConfig.Grounding(false, 0, 0, 0), new RunConfig.Alignment(false, 0), image.evaluation());
    }

    /**
     * Assembles {@code run}'s contributions over {@code frames} (labels index {@code frames.classes()}, the training
     * names); {@code start} is the image checkpoint's weights the video network starts from (the teacher of {@code
     * distillation.target: start_network}); the teacher report, when distillation is on, goes to {@code out}.
     */
    static VideoTrainingSetup assemble(RunConfig run, TrainingData frames, ClipResources clip, Map<String, INDArray> start, Path out) {
        List<String> classes = frames.classes();
        TrainingSetup.checkStudentWidth(run, clip.weights().config());
        TrainingSetup.checkStartNetworkTeacher(run, start != null);
        SynonymScores scores = null;
        TextDiversification diversification = null;
        if (run.diversification().enabled()) {
            scores = TrainingSetup.synonymScores(run, frames, clip);
            diversification = new TextDiversification(classes, frames.synonyms(), scores, run.diversification().toSampler());
        }
        TeacherFeatureStore teacher = null;
        if (run.distillation().enabled()) {
            teacher = TrainingSetup.teacher(run, frames, clip, clip.embed(classes), start, out);
        }
        TrackEnricher tracks = diversification == null && teacher == null ? null : new TrackEnricher(diversification, scores, teacher);
        return new VideoTrainingSetup(tracks, scores, teacher, TrainingSetup.terms(run, classes, clip.embedder(), teacher == null ? 0 : teacher.dim()));
    }

    /**
     * A clip's targets: its tracks of training classes ({@link ClipBatches#trackTargets}; {@code toTrain[classIndex]}
     * is a segment's training label or -1), each with its synonym draw and teacher feature when those are on.
     */
    ImageTargets targets(List<SegmentationSample> clip, int[] toTrain, int maxTargets, SplittableRandom rng) {
        ImageTargets plain = ClipBatches.trackTargets(clip, toTrain, maxTargets);
        return tracks == null ? plain : tracks.enrich(clip, ClipBatches.trackIds(clip, toTrain, maxTargets), plain, rng);
    }
}
