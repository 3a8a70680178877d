package org.gkc4j.pipeline.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How text diversification picks a segment's name from its class's synonyms given their CLIP plausibilities
 * (a strategy, so ablations and sweeps can switch it):
 * <ul>
 * <li>{@link Mode#THRESHOLD}: uniform among synonyms whose probability exceeds {@code threshold} (0.1 in the
 * authors' code);</li>
 * <li>{@link Mode#PROPORTIONAL}: proportional to the probability (the paper's text);</li>
 * <li>{@link Mode#TOP_K}: uniform among the {@code k} most plausible (the synonym-count knob; k = 1 always takes the
 * best).</li>
 * </ul>
 * When nothing passes (or no score is known) the most plausible synonym, then the class's own name, is the safe
 * fallback.
 */
public record SynonymSampler(Mode mode, double threshold, int k) {
    public enum Mode { THRESHOLD, PROPORTIONAL, TOP_K }

    public static SynonymSampler authors() {
        return new SynonymSampler(Mode.THRESHOLD, 0.1, 0);
    }

    /** Picks a name; {@code scores} maps each candidate to its probability (may be empty: uniform candidates). */
    public String sample(String className, List<String> candidates, Map<String, Double> scores, SplittableRandom rng) {
        if (candidates.isEmpty()) {
            return className;
        }
        List<String> pool = new ArrayList<>();
        double[] p = new double[candidates.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = scores == null || scores.isEmpty() ? 1.0 / p.length : scores.getOrDefault(candidates.get(i), 0.0);
        }
        switch (mode) {
            case THRESHOLD -> {
                for (int i = 0; i < p.length; i++) {
                    if (p[i] > threshold) {
                        pool.add(candidates.get(i));
                    }
                }
            }
            case TOP_K -> {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < p.length; i++) order.add(i);
                order.sort(Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
                for (int i = 0; i < Math.min(Math.max(1, k), order.size()); i++) {
                    pool.add(candidates.get(order.get(i)));
                }
            }
            case PROPORTIONAL -> {
                double total = 0;
                for (double v : p) total += v;
                if (total > 0) {
                    double u = rng.nextDouble() * total;
                    for (int i = 0; i < p.length; i++) {
                        u -= p[i];
                        if (u < 0) {
                            return candidates.get(i);
                        }
                    }
                    return candidates.get(p.length - 1);
                }
            }
        }
        if (pool.isEmpty()) {
            int best = 0;
            for (int i = 1; i < p.length; i++) {
                if (p[i] > p[best]) best = i;
            }
            return p[best] > 0 ? candidates.get(best) : className;
        }
        return pool.get(rng.nextInt(pool.size()));
    }
}
