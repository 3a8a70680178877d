package org.gkc4j.pipeline.prepare;

import org.gkc4j.io.LabelMap;

import java.util.Arrays;

/**
 * A lookup from stored label values to prepared ones: {@code out[v]} for {@code 0 <= v < size}, the fill value for
 * anything else. Immutable; applying it allocates only the output map.
 */
final class ValueTable {
    private final int[] table;
    private final int fill;

    private ValueTable(int[] table, int fill) {
        this.table = table;
        this.fill = fill;
    }

    /** {@code from[i]} becomes {@code i}; every other value becomes {@code fill}. */
    static ValueTable indexOf(int[] from, int size, int fill) {
        int[] t = new int[size];
        Arrays.fill(t, fill);
        for (int i = 0; i < from.length; i++) {
            t[from[i]] = i;
        }
        return new ValueTable(t, fill);
    }

    int map(int v) {
        return v >= 0 && v < table.length ? table[v] : fill;
    }

    LabelMap apply(LabelMap in) {
        int[] v = in.values(), out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = map(v[i]);
        }
        return new LabelMap(in.width(), in.height(), out);
    }
}
