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

    @SuppressWarnings("unchecked")
    public static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            DifferentialFunctionClassHolder holder = DifferentialFunctionClassHolder.getInstance();
            CustomOpDescriptor gather = Nd4j.getExecutioner().getCustomOperations().get("gather");
            long hash = gather.getHash();
            Field single = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClass");
            single.setAccessible(true);
            ((Map<Long, Class<?>>) single.get(holder)).put(hash, GatherWithGradient.class);
            Field multi = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClasses");
            multi.setAccessible(true);
            Map<Long, Map<String, Class<?>>> byName = (Map<Long, Map<String, Class<?>>>) multi.get(holder);
            if (byName.containsKey(hash)) {
                byName.get(hash).put("gather", GatherWithGradient.class);
            }
            installed = true;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot patch SameDiff's gather op (is this ND4J 1.0.0-M2.1?)", e);
        }
    }
}
