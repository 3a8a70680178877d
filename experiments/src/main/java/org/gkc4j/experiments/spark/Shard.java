package org.gkc4j.experiments.spark;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's part of a step: for each micro-batch, the images {@code first .. first + n - 1} of the whole
 * micro-batch (their position there seeds their random draws) with their targets.
 */
public record Shard(int index, List<Part> micros) implements Serializable {
    /** A shard of one micro-batch. */
    public record Part(long first, Tensors.Packed images, List<Target> targets) implements Serializable {
        public TrainingBatch batch() {
            List<ImageTargets> t = new ArrayList<>();
            for (Target x : targets) {
                t.add(x.unpack());
            }
            return new TrainingBatch(images.unpack(), t);
        }
    }

    /** {@link ImageTargets} as plain values. */
    public record Target(Tensors.Packed masks, int[] labels, List<String> vocabulary, int[] vocabularyTargets, Tensors.Packed teacher,
                         List<String> captionNouns) implements Serializable {
        static Target of(ImageTargets t) {
            return new Target(Tensors.Packed.of(t.masks()), t.labels(), t.vocabulary() == null ? null : new ArrayList<>(t.vocabulary()),
                    t.vocabularyTargets(), Tensors.Packed.of(t.teacherFeatures()), new ArrayList<>(t.captionNouns()));
        }

        ImageTargets unpack() {
            return new ImageTargets(masks.unpack(), labels, vocabulary, vocabularyTargets, teacher == null ? null : teacher.unpack(), captionNouns);
        }
    }

    /** The whole step's micro-batches cut into {@code workers} shards of consecutive images. */
    public static List<Shard> split(List<TrainingBatch> micro, int workers) {
        List<Shard> out = new ArrayList<>();
        for (int s = 0; s < workers; s++) {
            List<Part> parts = new ArrayList<>();
            for (TrainingBatch b : micro) {
                int n = b.size() / workers;
                int from = s * n;
                List<Target> t = new ArrayList<>();
                for (int i = from; i < from + n; i++) {
                    t.add(Target.of(b.targets().get(i)));
                }
                parts.add(new Part(from, Tensors.Packed.of(b.images().get(NDArrayIndex.interval(from, from + n)).dup('c')), t));
            }
            out.add(new Shard(s, parts));
        }
        return out;
    }
}
