package org.gkc4j.nn;

import org.gkc4j.nn.exec.GraphExecution;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Numerical gradient check by central differences, in DOUBLE: for every trainable variable (and any extra
 * variables named), perturbs up to {@code maxPerVariable} elements and compares (L(x+h) - L(x-h)) / 2h with the
 * analytic gradient SameDiff computes. In main scope because {@code gkc doctor} checks the backend with it; the
 * block tests use it too.
 */
public final class GradientCheck {
    /** {@code nonTrivial}: checked elements whose numeric derivative is clearly non-zero (|d| > 1e-6). */
    public record Result(int checked, int failed, double maxRelError, String worst, int nonTrivial) {
        public boolean passed() {
            return failed == 0 && checked > 0;
        }

        @Override
        public String toString() {
            return "checked " + checked + " (" + nonTrivial + " non-zero), failed " + failed + ", max relative error " + maxRelError + " at " + worst;
        }
    }

    private GradientCheck() {
    }

    public static Result check(SameDiff sd, String loss, Map<String, INDArray> placeholders, int maxPerVariable) {
        return check(sd, loss, placeholders, maxPerVariable, 1e-6, 1e-5, 1e-9);
    }

    public static Result check(SameDiff sd, String loss, Map<String, INDArray> placeholders, int maxPerVariable,
                               double eps, double maxRel, double minAbs) {
        return check(sd, loss, placeholders, maxPerVariable, eps, maxRel, minAbs, false);
    }

    /** With {@code skipUnused}, variables the loss does not depend on (no gradient) are skipped, not an error. */
    public static Result check(SameDiff sd, String loss, Map<String, INDArray> placeholders, int maxPerVariable,
                               double eps, double maxRel, double minAbs, boolean skipUnused) {
        return check(sd, loss, placeholders, maxPerVariable, eps, maxRel, minAbs, skipUnused, n -> true);
    }

    /** Checks only the variables {@code which} accepts (the rest of the graph is covered by other checks). */
    public static Result check(SameDiff sd, String loss, Map<String, INDArray> placeholders, int maxPerVariable,
                               double eps, double maxRel, double minAbs, boolean skipUnused, java.util.function.Predicate<String> which) {
        return check(sd, loss, placeholders, v -> maxPerVariable, eps, maxRel, minAbs, skipUnused, which);
    }

    /**
     * The general form: {@code perVariable} gives how many elements of each variable to sample. Refuses (throws) a
     * sample in which every numeric and analytic derivative is below {@code minAbs}: such a check compares nothing.
     */
    public static Result check(SameDiff sd, String loss, Map<String, INDArray> placeholders, java.util.function.ToIntFunction<String> perVariable,
                               double eps, double maxRel, double minAbs, boolean skipUnused, java.util.function.Predicate<String> which) {
        sd.setLossVariables(loss);
        List<String> vars = new ArrayList<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && which.test(v.name())) {
                if (v.dataType() != DataType.DOUBLE) {
                    throw new IllegalArgumentException("gradient checks need DOUBLE variables; " + v.name() + " is " + v.dataType());
                }
                vars.add(v.name());
            }
        }
        if (vars.isEmpty()) {
            throw new IllegalArgumentException("no trainable variables to check");
        }
        double base = score(sd, loss, placeholders);
        if (!Double.isFinite(base)) {
            throw new IllegalStateException("the loss is " + base + " at the checked point");
        }
        if (sd.getFunction("grad") == null) {
            org.gkc4j.util.Quiet.createGradFunction(sd);   // M2.1 prints every op it differentiates
        }
        Map<String, INDArray> grads = sd.calculateGradients(placeholders, vars);
        Random rng = new Random(42);
        int checked = 0, failed = 0, nonTrivial = 0, informative = 0;
        double worstErr = 0;
        String worst = "-";
        for (String name : vars) {
            INDArray arr = sd.getArrForVarName(name);
            INDArray g = grads.get(name);
            if (g == null) {
                if (skipUnused) {
                    continue;
                }
                throw new IllegalStateException("no gradient for variable " + name + " (does the loss depend on it?)");
            }
            long n = arr.length();
            int maxPerVariable = perVariable.applyAsInt(name);
            List<Long> idx = new ArrayList<>();
            if (n <= maxPerVariable) {
                for (long i = 0; i < n; i++) idx.add(i);
            } else {
                for (int i = 0; i < maxPerVariable; i++) idx.add((long) rng.nextInt((int) n));
            }
            INDArray flat = arr.reshape(-1);
            INDArray gflat = g.reshape(-1);
            for (long i : idx) {
                double orig = flat.getDouble(i);
                flat.putScalar(i, orig + eps);
                double plus = score(sd, loss, placeholders);
                flat.putScalar(i, orig - eps);
                double minus = score(sd, loss, placeholders);
                flat.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * eps);
                double analytic = gflat.getDouble(i);
                double absErr = Math.abs(numeric - analytic);
                double rel = absErr / Math.max(Math.abs(numeric) + Math.abs(analytic), 1e-300);
                checked++;
                if (Math.abs(numeric) > 1e-6) {
                    nonTrivial++;
                }
                if (Math.abs(numeric) + Math.abs(analytic) > minAbs) {
                    informative++;
                }
                if (absErr > minAbs && rel > maxRel) {
                    failed++;
                }
                if (Math.abs(numeric) + Math.abs(analytic) > minAbs && rel > worstErr) {
                    worstErr = rel;
                    worst = name + "[" + i + "] numeric=" + numeric + " analytic=" + analytic;
                }
            }
        }
        if (informative == 0) {
            throw new AssertionError("every sampled derivative is zero (" + checked + " elements, numeric and analytic below "
                    + minAbs + "): the check compared nothing");
        }
        return new Result(checked, failed, worstErr, worst, nonTrivial);
    }

    private static double score(SameDiff sd, String loss, Map<String, INDArray> placeholders) {
        return GraphExecution.output(sd, placeholders, loss).get(loss).getDouble(0);
    }

    /** A scalar loss that weights every output element differently, so no gradient is trivially symmetric. */
    public static SDVariable weightedSum(SameDiff sd, SDVariable out, long[] shape, long seed) {
        INDArray w = org.nd4j.linalg.factory.Nd4j.rand(DataType.DOUBLE, shape).subi(0.5);
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(seed);
        return out.mul(sd.constant(w)).sum();
    }
}
