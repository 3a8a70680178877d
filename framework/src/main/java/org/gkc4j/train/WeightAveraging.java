package org.gkc4j.train;

import org.gkc4j.GkcException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Weight-space ensembling of a fine-tuned network with the weights it started from (WiSE-FT, Wortsman et al., CVPR
 * 2022): {@code share * start + (1 - share) * tuned}, tensor by tensor. Fine-tuning on seen classes only narrows what
 * the start weights knew about other names; averaging the two keeps part of both without another forward pass.
 */
public final class WeightAveraging {
    private WeightAveraging() {
    }

    /**
     * The average with {@code startShare} of the start weights ({@code 0}: the fine-tuned weights, as they are), over the
     * fine-tuned weights' names: each must be among the start weights with the same shape and type; start weights the
     * fine-tuned network has no use for (an image run's distillation scale) are left out. New arrays, in the tuned order.
     */
    public static Map<String, INDArray> average(Map<String, INDArray> start, Map<String, INDArray> tuned, double startShare) {
        if (!(startShare >= 0 && startShare <= 1)) {
            throw GkcException.of("the start weights' share of the average must be in [0, 1], not %s", startShare);
        }
        TreeSet<String> missing = new TreeSet<>(tuned.keySet());
        missing.removeAll(start.keySet());
        if (!missing.isEmpty()) {
            throw GkcException.of("cannot average: %d fine-tuned weights have no start weights (first %s)", missing.size(), missing.first());
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : tuned.entrySet()) {
            INDArray t = e.getValue(), s = start.get(e.getKey());
            if (!Arrays.equals(s.shape(), t.shape()) || s.dataType() != t.dataType()) {
                throw GkcException.of("cannot average %s: %s %s in the start weights, %s %s fine-tuned",
                        e.getKey(), s.dataType(), Arrays.toString(s.shape()), t.dataType(), Arrays.toString(t.shape()));
            }
            // counters (integer tensors) are the fine-tuned run's
            boolean keep = startShare == 0 || !t.dataType().isFPType();
            out.put(e.getKey(), keep ? t.dup() : t.mul(1 - startShare).addi(s.mul(startShare)));
        }
        return out;
    }
}
