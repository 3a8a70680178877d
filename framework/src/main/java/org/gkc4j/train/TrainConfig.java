package org.gkc4j.train;

import java.util.List;

/**
 * The optimisation recipe; defaults are the authors' (AdamW lr 3e-4 at batch 112, weight decay 0.05, backbone
 * x0.1, full-model gradient-norm clipping at 0.01, multistep decay at 80 % and 90 % of training, no warm-up).
 */
public record TrainConfig(int iterations, int batchSize, int accumulate, double lr, double weightDecay, double backboneLrMultiplier,
                          double gradClip, Schedule schedule, int warmupIters, double warmupFactor, List<Double> stepsFraction,
                          double gamma, double polyPower, int checkpointEvery, int logEvery, long seed) {

    public enum Schedule { STEP, POLY, CONSTANT }

    public static TrainConfig defaults() {
        return new TrainConfig(50_000, 112, 1, 3e-4, 0.05, 0.1, 0.01, Schedule.STEP, 10, 1.0, List.of(0.8, 0.9), 0.1, 0.9, 1000, 20, 0);
    }

    /** The learning-rate factor at {@code step} (0-based): warm-up then step or poly decay. */
    public double lrFactor(int step) {
        double f = switch (schedule) {
            case CONSTANT -> 1.0;
            case STEP -> {
                double g = 1;
                for (double frac : stepsFraction) {
                    if (step >= (int) Math.round(frac * iterations)) {
                        g *= gamma;
                    }
                }
                yield g;
            }
            case POLY -> Math.pow(1.0 - Math.min(step, iterations) / (double) iterations, polyPower);
        };
        if (step < warmupIters) {
            double alpha = step / (double) warmupIters;
            f *= warmupFactor * (1 - alpha) + alpha;
        }
        return f;
    }

    /** detectron2's parameter groups: parameters of modules named {@code backbone*} train at lr x the backbone multiplier. */
    public double lrMultiplier(String param) {
        return param.startsWith("backbone.") ? backboneLrMultiplier : 1.0;
    }
}
