package org.gkc4j.nn.fix;

import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers the project's op replacements with SameDiff's op-class registry. Call before building gradient graphs
 * or loading saved graphs; calling more than once is harmless.
 */
public final class OpFixes {
    private static volatile boolean installed;

    /** Stock op name to the class that replaces it. */
    private static final Map<String, Class<?>> REPLACEMENTS = replacements();

    /** How this backend resolves one replaced op: the class SameDiff now creates for it (null: the op is unknown here). */
    public record Resolution(String op, String expected, String registered) {
        public boolean ok() {
            return expected.equals(registered);
        }
    }

    private OpFixes() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        REPLACEMENTS.forEach(OpFixes::replace);
        installed = true;
    }

    /** Installs the fixes and reports, per replaced op, which class the backend's op registry now maps it to. */
    @SuppressWarnings("unchecked")
    public static List<Resolution> resolve() {
        install();
        List<Resolution> out = new ArrayList<>();
        for (Map.Entry<String, Class<?>> e : REPLACEMENTS.entrySet()) {
            CustomOpDescriptor descriptor = Nd4j.getExecutioner().getCustomOperations().get(e.getKey());
            String registered = null;
            if (descriptor != null) {
                try {
                    Field single = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClass");
                    single.setAccessible(true);
                    Class<?> c = ((Map<Long, Class<?>>) single.get(DifferentialFunctionClassHolder.getInstance())).get(descriptor.getHash());
                    registered = c == null ? null : c.getName();
                } catch (ReflectiveOperationException ex) {
                    registered = null;
                }
            }
            out.add(new Resolution(e.getKey(), e.getValue().getName(), registered));
        }
        return out;
    }

    private static Map<String, Class<?>> replacements() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("gather", GatherWithGradient.class);
        m.put(MultiplyWithGradient.OP_NAME, MultiplyWithGradient.class);
        m.put(SumToShape.OP_NAME, SumToShape.class);
        return m;
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
