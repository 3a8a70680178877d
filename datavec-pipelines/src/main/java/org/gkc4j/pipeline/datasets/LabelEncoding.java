package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;
import org.gkc4j.io.LabelMap;

import java.util.Arrays;

/**
 * How a dataset's stored label values become contiguous class indices: {@code raw - offset} when that lies in
 * {@code 0..numClasses-1}; the {@code ignoredRaw} values become the one {@code ignoreLabel}; any other value marks a
 * damaged label file.
 */
public record LabelEncoding(int offset, int numClasses, int[] ignoredRaw, int ignoreLabel) {
    private static final int INVALID = Integer.MIN_VALUE;

    public LabelEncoding {
        ignoredRaw = ignoredRaw.clone();
        if (ignoreLabel >= 0 && ignoreLabel < numClasses) {
            throw new IllegalArgumentException("ignore label " + ignoreLabel + " is a class index");
        }
    }

    /** Labels stored as class indices, with one ignore value. */
    public static LabelEncoding direct(int numClasses, int rawIgnore, int ignoreLabel) {
        return new LabelEncoding(0, numClasses, new int[]{rawIgnore}, ignoreLabel);
    }

    /** Maps one raw value; {@code Integer.MIN_VALUE} when it is not a valid raw label. */
    public int map(int raw) {
        for (int ig : ignoredRaw) {
            if (raw == ig) {
                return ignoreLabel;
            }
        }
        int c = raw - offset;
        return c >= 0 && c < numClasses ? c : INVALID;
    }

    /** Maps a whole label map; an invalid value is a one-line error naming the file and pixel. */
    public int[] encode(LabelMap raw, Object source) {
        int[] table = table();
        int[] v = raw.values(), out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            int r = v[i];
            int c = r >= 0 && r < table.length ? table[r] : INVALID;
            if (c == INVALID) {
                throw GkcException.of("label map %s holds %d at (%d, %d), which is neither a class (%s) nor an ignore value %s",
                        source, r, i % raw.width(), i / raw.width(), offset + ".." + (offset + numClasses - 1), Arrays.toString(ignoredRaw));
            }
            out[i] = c;
        }
        return out;
    }

    private int[] table() {
        int max = offset + numClasses - 1;
        for (int ig : ignoredRaw) {
            max = Math.max(max, ig);
        }
        int[] t = new int[max + 1];
        for (int r = 0; r <= max; r++) {
            t[r] = map(r);
        }
        return t;
    }
}
