package org.gkc4j.pipeline;

import org.gkc4j.GkcException;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.pipeline.augment.JointAugmentation;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.augment.Normalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Training batches from a {@link SampleSource}: shuffled per epoch, augmented jointly, normalised, enriched, and
 * prepared on background threads a bounded number of batches ahead. Batch {@code b} is a pure function of
 * (seed, b): the order of threads does not matter and {@link #seek} resumes a run exactly where it stopped.
 */
public final class SegmentationLoader implements AutoCloseable {
    private final SampleSource source;
    private final LoaderConfig cfg;
    private final JointAugmentation augmentation;
    private final Normalization normalization;
    private final List<TargetEnricher> enrichers;
    private final LoadReport report = LoadReport.toStderr();
    private final ExecutorService pool;
    private final Deque<Future<TrainingBatch>> pending = new ArrayDeque<>();
    private long position;
    private long submitted;

    public SegmentationLoader(SampleSource source, LoaderConfig cfg, Normalization normalization, List<TargetEnricher> enrichers) {
        if (source.size() == 0) {
            throw GkcException.of("dataset %s holds no samples", source.name());
        }
        this.source = source;
        this.cfg = cfg;
        this.augmentation = new JointAugmentation(cfg.augment());
        this.normalization = normalization;
        this.enrichers = List.copyOf(enrichers);
        this.pool = Executors.newFixedThreadPool(Math.max(1, cfg.threads()), r -> {
            Thread t = new Thread(r, "gkc-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /** Continue from batch {@code batchIndex} (the data position stored in checkpoints). */
    public void seek(long batchIndex) {
        pending.forEach(f -> f.cancel(true));
        pending.clear();
        position = batchIndex;
        submitted = batchIndex;
    }

    public long position() {
        return position;
    }

    public TrainingBatch next() {
        while (pending.size() < Math.max(1, cfg.prefetch())) {
            long b = submitted++;
            pending.add(pool.submit(() -> assemble(b)));
        }
        try {
            TrainingBatch batch = pending.poll().get();
            position++;
            return batch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GkcException("interrupted while loading data");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GkcException g) {
                throw g;
            }
            throw new GkcException("loading failed: " + e.getCause(), e.getCause());
        }
    }

    /** Batch {@code b}: samples b*B .. b*B+B-1 of the endless shuffled stream. */
    public TrainingBatch assemble(long b) {
        int bs = cfg.batchSize(), size = cfg.augment().cropSize();
        float[] pixels = new float[bs * 3 * size * size];
        List<ImageTargets> targets = new ArrayList<>(bs);
        for (int j = 0; j < bs; j++) {
            long g = b * bs + j;
            SegmentationSample original = null;
            SplittableRandom rng = null;
            for (long attempt = 0; original == null; attempt++) {
                long k = g + attempt * 7919;
                int index = indexOf(k);
                rng = new SplittableRandom(mix(cfg.seed(), k));
                try {
                    original = source.get(index);
                } catch (GkcException e) {
                    if (cfg.failOnBadSample()) {
                        throw e;
                    }
                    report.sampleSkipped(source.name() + "[" + index + "]: " + e.getMessage());
                    if (attempt > 100) {
                        throw GkcException.of("dataset %s: more than 100 bad samples in a row", source.name());
                    }
                }
            }
            SegmentationSample aug = augmentation.apply(original, rng);
            normalization.apply(aug.image(), pixels, j * 3 * size * size);
            ImageTargets t = targetsOf(aug);
            for (TargetEnricher e : enrichers) {
                t = e.enrich(original, aug, t, rng);
            }
            targets.add(t);
        }
        INDArray images = Nd4j.create(pixels, new long[]{bs, 3, size, size}, 'c');
        return new TrainingBatch(images, targets);
    }

    /** Binary masks [N,H,W] and class labels of the sample's non-crowd segments, in segment order. */
    public static ImageTargets targetsOf(SegmentationSample s) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < s.segments().size(); i++) {
            if (!s.segments().get(i).crowd()) {
                keep.add(i);
            }
        }
        int hw = s.width() * s.height();
        float[] masks = new float[keep.size() * hw];
        int[] slot = new int[s.segments().size()];
        java.util.Arrays.fill(slot, -1);
        for (int k = 0; k < keep.size(); k++) {
            slot[keep.get(k)] = k;
        }
        int[] map = s.segmentMap();
        for (int i = 0; i < hw; i++) {
            int seg = map[i];
            if (seg >= 0 && slot[seg] >= 0) {
                masks[slot[seg] * hw + i] = 1f;
            }
        }
        int[] labels = keep.stream().mapToInt(i -> s.segments().get(i).classIndex()).toArray();
        INDArray m = keep.isEmpty() ? Nd4j.create(DataType.FLOAT, 0, s.height(), s.width())
                : Nd4j.create(masks, new long[]{keep.size(), s.height(), s.width()}, 'c');
        return ImageTargets.plain(m, labels);
    }

    /** Sample index of the k-th draw: a fresh permutation of the source every epoch. */
    private int indexOf(long k) {
        int n = source.size();
        long epoch = k / n;
        int offset = (int) (k % n);
        return permutation(epoch)[offset];
    }

    private final java.util.Map<Long, int[]> permutations = new java.util.concurrent.ConcurrentHashMap<>();

    private int[] permutation(long epoch) {
        return permutations.computeIfAbsent(epoch, e -> {
            int n = source.size();
            int[] p = new int[n];
            for (int i = 0; i < n; i++) {
                p[i] = i;
            }
            SplittableRandom r = new SplittableRandom(mix(cfg.seed() ^ 0x5DEECE66DL, e));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            if (permutations.size() > 4) {
                permutations.keySet().removeIf(old -> old < e - 2);
            }
            return p;
        });
    }

    static long mix(long a, long b) {
        long h = a * 0x9E3779B97F4A7C15L + b;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }

    public LoadReport report() {
        return report;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
