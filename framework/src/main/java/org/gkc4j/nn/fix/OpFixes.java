package org.gkc4j.nn.fix;

import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Registers the project's op replacements with SameDiff's op-class registry. Call before building gradient graphs
 * or loading saved graphs; calling more than once is harmless.
 */
public final class OpFixes {
    private static volatile boolean installed;

    private OpFixes() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        replace("gather", GatherWithGradient.class);
        replace(MultiplyWithGradient.OP_NAME, MultiplyWithGradient.class);
        replace(SumToShape.OP_NAME, SumToShape.class);
        installed = true;
    }

    /** Makes SameDiff re-create ops named {@code opName} (for example in a gradient graph) as {@code replacement}. */
    @SuppressWarnings("unchecked")
    private static void replace(String opName, Class<?> replacement) {
        try {
            DifferentialFunctionClassHolder holder = DifferentialFunctionClassHolder.getInstance();
            CustomOpDescriptor descriptor = Nd4j.getExecutioner().getCustomOperations().get(opName);
            long hash = descriptor.getHash();
            Field single = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClass");
            single.setAccessible(true);
            ((Map<Long, Class<?>>) single.get(holder)).put(hash, replacement);
            Field multi = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClasses");
            multi.setAccessible(true);
            Map<Long, Map<String, Class<?>>> byName = (Map<Long, Map<String, Class<?>>>) multi.get(holder);
            if (byName.containsKey(hash)) {
                byName.get(hash).put(opName, replacement);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot patch SameDiff's " + opName + " op (is this ND4J 1.0.0-M2.1?)", e);
        }
    }
}
