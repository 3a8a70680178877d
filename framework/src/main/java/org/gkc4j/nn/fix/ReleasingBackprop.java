package org.gkc4j.nn.fix;

import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.util.Quiet;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Outputs and parameter gradients in one execution, like {@link SameDiff#calculateGradientsAndOutputs}, but freeing
 * each intermediate array as soon as the last op that reads it has run.
 * <p>
 * M2.1's {@code calculateGradientsAndOutputs} switches array release off on the gradient graph
 * ({@code gradFn.setEnableCache(false)}), so every forward activation and every backward temporary of a step stays
 * allocated until the step ends (measured on the r50 network at 256x256: 13.5 GB of op outputs, all alive at once).
 * The session's own dependency tracking knows when each array is dead; this runs the same gradient graph with release
 * left on. Same ops, same order, same values. The gradients come back as views of one packed output (see
 * {@link #packedGradients}).
 */
public final class ReleasingBackprop {
    private static final String GRAD_FN = "grad";

    private ReleasingBackprop() {
    }

    /**
     * @param placeholders placeholder values
     * @param outputs      names of forward values to return (may be empty)
     * @param parameters   names of the variables whose gradients to return; a parameter the loss does not reach is absent
     */
    public static OutAndGrad run(SameDiff sd, Map<String, INDArray> placeholders, Collection<String> outputs, Collection<String> parameters) {
        return run(GraphExecution.selected(), sd, placeholders, outputs, parameters);
    }

    /** With an explicit executor (tests and benches compare the two in one process). */
    public static OutAndGrad run(GraphExecution.Executor executor, SameDiff sd, Map<String, INDArray> placeholders, Collection<String> outputs,
                                 Collection<String> parameters) {
        if (!sd.hasGradientFunction()) {
            Quiet.createGradFunction(sd);
        }
        List<String> withGradient = new ArrayList<>();
        List<String> gradientNames = new ArrayList<>();
        for (String p : parameters) {
            SDVariable g = sd.getVariable(p).getGradient();
            if (g != null) {
                withGradient.add(p);
                gradientNames.add(g.name());
            }
        }
        SameDiff gradFn = sd.getFunction(GRAD_FN);
        String packed = gradientNames.isEmpty() ? null : packedGradients(gradFn, gradientNames);
        List<String> requested = new ArrayList<>(outputs);
        if (packed != null) {
            requested.add(packed);
        }
        gradFn.setEnableCache(true);
        List<Listener> listeners = sd.getListeners() == null ? List.of() : sd.getListeners();
        gradFn.setListeners(listeners);
        if (executor == GraphExecution.Executor.LEAN) {
            // the forward graph's calls (forward for matching) and the gradient graph's never overlap: one pool serves both
            GraphExecution.shareBuffers(sd, gradFn);
        }
        Map<String, INDArray> values = GraphExecution.output(executor, gradFn, placeholders, requested);
        Map<String, INDArray> outs = new HashMap<>();
        for (String o : outputs) {
            outs.put(o, values.get(o));
        }
        // each parameter's gradient is a view of its stretch of the packed vector
        Map<String, INDArray> grads = new HashMap<>();
        INDArray all = packed == null ? null : values.get(packed);
        long offset = 0;
        for (String p : withGradient) {
            long[] shape = sd.getVariable(p).getArr().shape();
            long length = sd.getVariable(p).getArr().length();
            INDArray flat = all.get(NDArrayIndex.interval(offset, offset + length));
            grads.put(p, shape.length == 0 ? flat.reshape() : flat.reshape(shape));
            offset += length;
        }
        if (all != null && offset != all.length()) {
            throw new IllegalStateException("packed gradients hold " + all.length() + " values, the parameters " + offset);
        }
        return new OutAndGrad(outs, grads);
    }

    /**
     * One output holding every requested gradient, flattened and concatenated in order. M2.1's session checks each
     * requested output by building a map of every variable of the graph, so fetching a few hundred gradients one by
     * one cost that many full copies of the variable table per step.
     */
    private static String packedGradients(SameDiff gradFn, List<String> gradientNames) {
        String name = "gkc_packed_gradients_" + sha256Hex(String.join("\n", gradientNames)).substring(0, 24);
        if (!gradFn.hasVariable(name)) {
            SDVariable[] flat = new SDVariable[gradientNames.size()];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = gradFn.getVariable(gradientNames.get(i)).reshape(-1);
            }
            gradFn.concat(name, 0, flat);
        }
        return name;
    }

    private static String sha256Hex(String text) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);   // every Java SE platform must provide it
        }
    }
}
