package org.gkc4j.nn.fix;

import org.gkc4j.util.Quiet;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 * left on. Same ops, same order, same values.
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
        if (!sd.hasGradientFunction()) {
            Quiet.createGradFunction(sd);
        }
        Map<String, String> gradientNames = new HashMap<>();
        for (String p : parameters) {
            SDVariable g = sd.getVariable(p).getGradient();
            if (g != null) {
                gradientNames.put(p, g.name());
            }
        }
        List<String> requested = new ArrayList<>(outputs);
        requested.addAll(gradientNames.values());
        SameDiff gradFn = sd.getFunction(GRAD_FN);
        gradFn.setEnableCache(true);
        List<Listener> listeners = sd.getListeners() == null ? List.of() : sd.getListeners();
        gradFn.setListeners(listeners);
        Map<String, INDArray> values = gradFn.output(placeholders, requested.toArray(new String[0]));
        Map<String, INDArray> outs = new HashMap<>();
        for (String o : outputs) {
            outs.put(o, values.get(o));
        }
        Map<String, INDArray> grads = new HashMap<>();
        gradientNames.forEach((p, g) -> grads.put(p, values.get(g)));
        return new OutAndGrad(outs, grads);
    }
}
