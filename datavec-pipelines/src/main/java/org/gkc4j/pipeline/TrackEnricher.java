package org.gkc4j.pipeline;

import org.gkc4j.GkcException;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.gkc4j.pipeline.text.SynonymScores;
import org.gkc4j.pipeline.text.TextDiversification;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Text diversification and distillation targets for a video clip, whose targets are tracks (segment ids kept
 * through the clip). The per-frame caches of the image method (synonym scores, teacher features of each frame's
 * segments) are read for the frames in which a track is visible and averaged over them, so a track gets one
 * synonym draw and one teacher feature for the whole clip, as the queries that segment it are shared by its frames.
 * Frames in which a track is hidden or outside count for nothing: their crop does not exist.
 */
public final class TrackEnricher {
    private final TextDiversification diversification;
    private final SynonymScores scores;
    private final TeacherFeatureStore teacher;

    /**
     * @param diversification draws each track's name (null: no diversification), with the per-frame {@code scores}
     * @param teacher         per-frame teacher features (null: no distillation)
     */
    public TrackEnricher(TextDiversification diversification, SynonymScores scores, TeacherFeatureStore teacher) {
        this.diversification = diversification;
        this.scores = scores == null ? SynonymScores.empty() : scores;
        this.teacher = teacher;
    }

    /** The frames of {@code clip} that show {@code track}: it is listed there, not crowd, with at least one pixel. */
    public static List<SegmentationSample> visible(List<SegmentationSample> clip, long track) {
        List<SegmentationSample> out = new ArrayList<>();
        for (SegmentationSample f : clip) {
            long[] areas = f.areas();
            for (int s = 0; s < f.segments().size(); s++) {
                Segment g = f.segments().get(s);
                if (g.id() == track && !g.crowd() && areas[s] > 0) {
                    out.add(f);
                    break;
                }
            }
        }
        return out;
    }

    /**
     * A track's synonym plausibilities: for each candidate, the mean of its probability over the visible frames that
     * have scores (a candidate a frame does not score counts 0 there); empty when no visible frame has scores (the
     * sampler then treats the candidates alike).
     */
    public static Map<String, Double> meanScores(SynonymScores scores, List<SegmentationSample> clip, long track) {
        Map<String, Double> sum = new LinkedHashMap<>();
        int frames = 0;
        for (SegmentationSample f : visible(clip, track)) {
            Map<String, Double> p = scores.of(f.id(), track);
            if (p.isEmpty()) {
                continue;
            }
            frames++;
            p.forEach((name, v) -> sum.merge(name, v, Double::sum));
        }
        int n = frames;
        sum.replaceAll((name, v) -> v / n);
        return sum;
    }

    /**
     * A track's teacher feature: the mean over its visible frames of their unit-normalised features (each frame
     * weighs the same), unit-normalised; a zero row (no teacher, which distillation skips) for a track no frame shows.
     */
    public static INDArray meanTeacher(TeacherFeatureStore store, List<SegmentationSample> clip, long track) {
        INDArray sum = Nd4j.zeros(DataType.DOUBLE, Math.max(1, store.dim()));
        for (SegmentationSample f : visible(clip, track)) {
            INDArray row = store.get(f.id(), track);
            if (row == null) {
                throw GkcException.of("no teacher feature for track %d in frame %s: recompute the teacher cache", track, f.id());
            }
            INDArray d = row.castTo(DataType.DOUBLE).reshape(-1);
            double norm = d.norm2Number().doubleValue();
            if (norm > 0) {
                sum.addi(d.div(norm));
            }
        }
        double norm = sum.norm2Number().doubleValue();
        return norm > 0 ? sum.divi(norm) : sum;
    }

    /**
     * The clip's targets (one per track of {@code tracks}, in target order; labels index the training classes) with a
     * diversified vocabulary and teacher features, whichever this enricher has.
     */
    public ImageTargets enrich(List<SegmentationSample> clip, long[] tracks, ImageTargets targets, SplittableRandom rng) {
        if (tracks.length != targets.count()) {
            throw new IllegalArgumentException(tracks.length + " tracks for " + targets.count() + " targets");
        }
        ImageTargets out = targets;
        if (diversification != null) {
            List<Integer> classes = new ArrayList<>();
            List<Map<String, Double>> plausibility = new ArrayList<>();
            for (int k = 0; k < tracks.length; k++) {
                classes.add(targets.labels()[k]);
                plausibility.add(meanScores(scores, clip, tracks[k]));
            }
            out = diversification.diversify(classes, plausibility, out, rng);
        }
        if (teacher != null) {
            INDArray rows = Nd4j.create(DataType.FLOAT, tracks.length, Math.max(1, teacher.dim()));
            for (int k = 0; k < tracks.length; k++) {
                rows.putRow(k, meanTeacher(teacher, clip, tracks[k]).castTo(DataType.FLOAT));
            }
            out = out.withTeacher(rows);
        }
        return out;
    }
}
