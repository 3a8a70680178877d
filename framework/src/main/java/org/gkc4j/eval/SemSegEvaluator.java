package org.gkc4j.eval;

import org.gkc4j.GkcException;

import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Semantic-segmentation metrics after detectron2's {@code SemSegEvaluator}: one dataset-level confusion matrix over
 * every pixel whose ground truth is not the ignore label, filled image by image (memory does not grow with the
 * number of images).
 *
 * <p>A prediction equal to the ignore label where the ground truth is a class counts as a miss (a false negative of
 * that class, and a wrong pixel for pixel accuracy): dropping such pixels would let a model raise its score by
 * abstaining. Any other value outside {@code 0..N-1} in either map is an error.
 */
public final class SemSegEvaluator {
    /** Keeps the N x N matrix of longs at most 128 MB; the largest benchmark vocabulary has 847 classes. */
    public static final int MAX_CLASSES = 4096;
    private final int numClasses;
    private final int ignoreLabel;
    /** {@code confusion[pred * N + gt]}. */
    private final long[] confusion;
    /** Pixels of each ground-truth class predicted as the ignore label. */
    private final long[] abstained;
    private long images;

    public SemSegEvaluator(int numClasses, int ignoreLabel) {
        GkcException.check(numClasses > 0 && numClasses <= MAX_CLASSES, "number of classes must be in 1..%d; got %d", MAX_CLASSES, numClasses);
        GkcException.check(ignoreLabel < 0 || ignoreLabel >= numClasses,
                "ignore label %d is a class index (0..%d); pick a value outside the classes", ignoreLabel, numClasses - 1);
        this.numClasses = numClasses;
        this.ignoreLabel = ignoreLabel;
        this.confusion = new long[numClasses * numClasses];
        this.abstained = new long[numClasses];
    }

    public int numClasses() {
        return numClasses;
    }

    public int ignoreLabel() {
        return ignoreLabel;
    }

    public long images() {
        return images;
    }

    /** Adds one image; {@code pred} and {@code gt} are row-major maps of the same size. */
    public void add(int[] pred, int[] gt) {
        add(pred, gt, 0);
    }

    /** As {@link #add(int[], int[])}; {@code width} (when positive) lets an error name the pixel as (x, y). */
    public void add(int[] pred, int[] gt, int width) {
        GkcException.check(pred.length == gt.length, "prediction has %d pixels, ground truth %d", pred.length, gt.length);
        // Validate before counting so a rejected image leaves the matrix untouched.
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i];
            if (g == ignoreLabel) {
                continue;
            }
            if (g < 0 || g >= numClasses) {
                throw outOfRange("ground-truth", g, i, width);
            }
            int p = pred[i];
            if (p != ignoreLabel && (p < 0 || p >= numClasses)) {
                throw outOfRange("predicted", p, i, width);
            }
        }
        int n = numClasses;
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i];
            if (g == ignoreLabel) {
                continue;
            }
            int p = pred[i];
            if (p == ignoreLabel) {
                abstained[g]++;
            } else {
                confusion[p * n + g]++;
            }
        }
        images++;
    }

    private GkcException outOfRange(String what, int value, int index, int width) {
        String where = width > 0 ? "(" + index % width + ", " + index / width + ")" : String.valueOf(index);
        return GkcException.of("%s label %d at pixel %s is neither a class index 0..%d nor the ignore label %d", what, value, where, numClasses - 1, ignoreLabel);
    }

    /** Adds another evaluator's counts (e.g. from a parallel worker). */
    public void merge(SemSegEvaluator other) {
        GkcException.check(other.numClasses == numClasses && other.ignoreLabel == ignoreLabel, "cannot merge evaluators of different classes or ignore labels");
        for (int i = 0; i < confusion.length; i++) {
            confusion[i] += other.confusion[i];
        }
        for (int i = 0; i < abstained.length; i++) {
            abstained[i] += other.abstained[i];
        }
        images += other.images;
    }

    /** {@code [pred][gt]} pixel counts (a copy). */
    public long[][] confusionMatrix() {
        long[][] m = new long[numClasses][];
        for (int p = 0; p < numClasses; p++) {
            m[p] = Arrays.copyOfRange(confusion, p * numClasses, (p + 1) * numClasses);
        }
        return m;
    }

    /** {@code [gt][pred]} pixel counts: the layout people read, one row per true class. */
    public long[][] confusionByTruth() {
        long[][] m = new long[numClasses][numClasses];
        for (int p = 0; p < numClasses; p++) {
            for (int g = 0; g < numClasses; g++) {
                m[g][p] = confusion[p * numClasses + g];
            }
        }
        return m;
    }

    public SemSegMetrics metrics() {
        return metrics(Set.of());
    }

    /**
     * Metrics in percent. With novel classes given, base = every other class; without, {@code mIoU_base} equals
     * {@code mIoU} and the novel mean and hIoU are undefined (NaN).
     */
    public SemSegMetrics metrics(Collection<Integer> novelClasses) {
        int n = numClasses;
        TreeSet<Integer> novel = new TreeSet<>(novelClasses);
        for (int c : novel) {
            GkcException.check(c >= 0 && c < n, "novel class %d is not a class index 0..%d", c, n - 1);
        }
        long[] tp = new long[n], posGt = new long[n], posPred = new long[n];
        long validPixels = 0;
        for (int p = 0; p < n; p++) {
            for (int g = 0; g < n; g++) {
                long v = confusion[p * n + g];
                posGt[g] += v;
                posPred[p] += v;
            }
            tp[p] = confusion[p * n + p];
        }
        for (int g = 0; g < n; g++) {
            posGt[g] += abstained[g];
            validPixels += posGt[g];
        }
        double[] iou = new double[n];
        long correct = 0;
        for (int c = 0; c < n; c++) {
            iou[c] = posGt[c] > 0 ? (double) tp[c] / (posGt[c] + posPred[c] - tp[c]) : Double.NaN;
            correct += tp[c];
        }
        boolean[] isNovel = new boolean[n];
        novel.forEach(c -> isNovel[c] = true);
        double all = mean(iou, posGt, posPred, c -> true);
        double base = mean(iou, posGt, posPred, c -> !isNovel[c]);
        double nov = novel.isEmpty() ? Double.NaN : mean(iou, posGt, posPred, c -> isNovel[c]);
        double h = novel.isEmpty() || Double.isNaN(base) || Double.isNaN(nov) ? Double.NaN
                : base + nov == 0 ? 0 : 2 * base * nov / (base + nov);
        double pAcc = validPixels > 0 ? 100.0 * correct / validPixels : Double.NaN;
        double[] perClass = new double[n];
        for (int c = 0; c < n; c++) {
            perClass[c] = 100 * iou[c];
        }
        return new SemSegMetrics(100 * all, pAcc, 100 * base, 100 * nov, 100 * h, perClass, n, ignoreLabel,
                novel.stream().mapToInt(Integer::intValue).toArray(), images, validPixels);
    }

    /**
     * The rule of design.md: the sum of IoU over the subset's classes that have ground-truth pixels, divided by the
     * number of the subset's classes present in ground truth or prediction.
     */
    private static double mean(double[] iou, long[] posGt, long[] posPred, java.util.function.IntPredicate in) {
        double sum = 0;
        int present = 0;
        for (int c = 0; c < iou.length; c++) {
            if (!in.test(c)) {
                continue;
            }
            if (posGt[c] > 0) {
                sum += iou[c];
            }
            if (posGt[c] > 0 || posPred[c] > 0) {
                present++;
            }
        }
        return present == 0 ? Double.NaN : sum / present;
    }
}
