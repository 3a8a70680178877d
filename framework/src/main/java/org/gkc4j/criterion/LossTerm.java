package org.gkc4j.criterion;

import org.gkc4j.data.TrainingBatch;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.model.OpenVocabularyHead;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * One loss of the criterion (mask BCE, dice, class CE, synonym CE, distillation, grounding) as a small strategy: it
 * adds its placeholders and its scalar to the training graph for each prediction set, and fills those placeholders
 * for each step from the batch and the matching.
 */
public interface LossTerm {
    String name();

    double weight();

    /** The unweighted scalar of prediction set {@code set.index()}. */
    SDVariable build(SetGraph set);

    /** Fills this term's placeholders of prediction set {@code feed.index()}. */
    void feed(SetFeed feed, Map<String, INDArray> placeholders);

    /**
     * What this term's value divides by in a fed step, as an additive count over images (matched segments, summed
     * row weights): the value is a sum over images divided by {@link #divisor} of this count. A batch split over
     * workers needs it to rescale each shard's term to the normaliser of the whole batch. Empty for a term whose value
     * is not such a sum (one that compares the images of a batch with each other); such a term cannot be split.
     */
    default java.util.OptionalDouble count(SetFeed feed, Map<String, INDArray> placeholders) {
        return java.util.OptionalDouble.empty();
    }

    /** The divisor the graph applies to a {@link #count}: its guard against an empty batch. */
    default double divisor(double count) {
        return Math.max(1, count);
    }

    /** Graph-build view of one prediction set. */
    record SetGraph(int index, int sets, Scope scope, GkcNetwork.Outputs outputs, OpenVocabularyHead head, Dims dims,
                    SDVariable plainLogits) {
        public SDVariable masks() {
            return outputs.masks().get(index);
        }

        public SDVariable classEmbedding() {
            return outputs.classEmbeddings().get(index);
        }

        public SDVariable embedding() {
            return outputs.embeddings().get(index);
        }

        /** A placeholder name unique to this set. */
        public String name(String leaf) {
            return "loss.s" + index + "." + leaf;
        }
    }

    /** Static sizes of the training graph. */
    record Dims(int batch, int queries, long maskH, long maskW, int maxTargets, int points, int classes, int embedDim) {
        public int maxTotalTargets() {
            return batch * maxTargets;
        }
    }

    /**
     * Step view of one prediction set: the batch, each image's matching (segment to query) for this set, the
     * set's predictions from the forward pass (masks [B,Q,h,w], plain-name logits [B,Q,K+1]), one seeded RNG per
     * image (its draws depend on that image alone, so a batch split over workers draws what the whole batch draws)
     * and one for draws over the whole batch.
     */
    record SetFeed(int index, TrainingBatch batch, int[][] matches, INDArray masks, INDArray plainLogits, Dims dims,
                   int totalTargets, java.util.List<SplittableRandom> imageRngs, SplittableRandom rng) {
        /** Every image drawing from one generator (tests). */
        public SetFeed(int index, TrainingBatch batch, int[][] matches, INDArray masks, INDArray plainLogits, Dims dims,
                       int totalTargets, SplittableRandom rng) {
            this(index, batch, matches, masks, plainLogits, dims, totalTargets, java.util.Collections.nCopies(batch.size(), rng), rng);
        }

        public String name(String leaf) {
            return "loss.s" + index + "." + leaf;
        }

        /** The generator of image {@code b}'s draws. */
        public SplittableRandom rng(int b) {
            return imageRngs.get(b);
        }
    }

    /**
     * The graph variable {@code name}, made by {@code make} the first time: several terms (and prediction sets) share
     * placeholders and sub-graphs this way instead of each declaring its own.
     */
    static SDVariable shared(org.nd4j.autodiff.samediff.SameDiff sd, String name, java.util.function.Supplier<SDVariable> make) {
        return sd.hasVariable(name) ? sd.getVariable(name) : make.get();
    }

    /** A placeholder shared by name: declared once, found afterwards. */
    static SDVariable sharedPlaceholder(org.nd4j.autodiff.samediff.SameDiff sd, String name, org.nd4j.linalg.api.buffer.DataType type, long... shape) {
        return shared(sd, name, () -> sd.placeHolder(name, type, shape));
    }
}
