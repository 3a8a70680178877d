package org.gkc4j.experiments;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.augment.Normalization;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training batches of video clips for a video network: each clip's frames in order, clip after clip, and one target
 * per clip whose entries are its tracks (segment ids shared across frames) with their masks over the whole clip,
 * frames stacked along the height as the video network stacks its masks. Used by the video demo and by VIPSeg training.
 */
public final class ClipBatches {
    private ClipBatches() {
    }

    /**
     * One batch of clips, all of the same length and frame size; {@code toTrain[classIndex]} is a segment's training
     * label or -1 to leave it out (its pixels then belong to no target); at most {@code maxTargets} tracks per clip.
     */
    public static TrainingBatch batch(List<List<SegmentationSample>> clips, int[] toTrain, int maxTargets) {
        List<ImageTargets> targets = new ArrayList<>();
        for (List<SegmentationSample> clip : clips) {
            targets.add(trackTargets(clip, toTrain, maxTargets));
        }
        return batch(clips, targets);
    }

    /** One batch of clips, all of the same length and frame size, with one given target per clip. */
    public static TrainingBatch batch(List<List<SegmentationSample>> clips, List<ImageTargets> targets) {
        int t = clips.get(0).size(), w = clips.get(0).get(0).width(), h = clips.get(0).get(0).height();
        List<RgbImage> frames = new ArrayList<>();
        for (List<SegmentationSample> clip : clips) {
            if (clip.size() != t) {
                throw new IllegalArgumentException("clips of " + clip.size() + " and " + t + " frames in one batch");
            }
            clip.forEach(f -> frames.add(f.image()));
        }
        INDArray images = Nd4j.create(Normalization.IMAGENET.batch(frames, frames.size()), new long[]{frames.size(), 3, h, w}, 'c');
        return new TrainingBatch(images, targets, t);
    }

    /** The ids of a clip's tracks of training classes, at most {@code max}, largest first (pixels summed over the clip). */
    public static long[] trackIds(List<SegmentationSample> clip, int[] toTrain, int max) {
        Map<Long, Long> area = new LinkedHashMap<>();
        for (SegmentationSample f : clip) {
            long[] a = f.areas();
            for (int s = 0; s < f.segments().size(); s++) {
                Segment seg = f.segments().get(s);
                if (trained(seg, toTrain)) {
                    area.merge(seg.id(), a[s], Long::sum);
                }
            }
        }
        List<Long> ids = new ArrayList<>(area.keySet());
        ids.sort((x, y) -> Long.compare(area.get(y), area.get(x)));
        return ids.subList(0, Math.min(max, ids.size())).stream().mapToLong(Long::longValue).toArray();
    }

    private static boolean trained(Segment seg, int[] toTrain) {
        return seg.classIndex() >= 0 && seg.classIndex() < toTrain.length && toTrain[seg.classIndex()] >= 0;
    }

    /** A clip's tracks (segment ids) with their masks over the clip [N, T*H, W] (frames stacked) and training labels, at most {@code max}, largest first. */
    public static ImageTargets trackTargets(List<SegmentationSample> clip, int[] toTrain, int max) {
        int h = clip.get(0).height(), w = clip.get(0).width(), t = clip.size();
        Map<Long, Integer> classOf = new LinkedHashMap<>();
        for (SegmentationSample f : clip) {
            for (Segment seg : f.segments()) {
                if (trained(seg, toTrain)) {
                    classOf.put(seg.id(), toTrain[seg.classIndex()]);
                }
            }
        }
        List<Long> ids = java.util.Arrays.stream(trackIds(clip, toTrain, max)).boxed().toList();
        float[] masks = new float[ids.size() * t * h * w];
        int[] labels = new int[ids.size()];
        for (int k = 0; k < ids.size(); k++) {
            labels[k] = classOf.get(ids.get(k));
            for (int f = 0; f < t; f++) {
                SegmentationSample frame = clip.get(f);
                int[] map = frame.segmentMap();
                for (int p = 0; p < map.length; p++) {
                    if (map[p] >= 0 && frame.segments().get(map[p]).id() == ids.get(k)) {
                        masks[(k * t + f) * h * w + p] = 1;
                    }
                }
            }
        }
        INDArray m = Nd4j.create(masks, new long[]{ids.size(), (long) t * h, w}, 'c');
        return ImageTargets.plain(m, labels);
    }
}
