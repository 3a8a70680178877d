package org.gkc4j.pipeline.datasets;

import java.util.Arrays;
import java.util.List;

/**
 * The class list of one {@link VipsegSplit}: its categories in VIPSeg's order, a category's class index being its
 * position here (GKC's rule; 124, 112 or 12 classes).
 */
public record VipsegVocabulary(VipsegSplit split, List<VipsegCategories.Category> categories) {
    /** What {@link #classIndex(int)} returns for a category outside the split. */
    public static final int OUTSIDE = -1;

    public VipsegVocabulary {
        categories = List.copyOf(categories);
    }

    public int size() {
        return categories.size();
    }

    public List<String> names() {
        return categories.stream().map(VipsegCategories.Category::name).toList();
    }

    /** A lookup table from VIPSeg id to class index ({@link #OUTSIDE} where the split lacks the id). */
    public int[] indexById() {
        int max = categories.stream().mapToInt(VipsegCategories.Category::id).max().orElse(-1);
        int[] t = new int[max + 1];
        Arrays.fill(t, OUTSIDE);
        for (int i = 0; i < categories.size(); i++) {
            t[categories.get(i).id()] = i;
        }
        return t;
    }

    /** The class index of VIPSeg category {@code id}, or {@link #OUTSIDE}. */
    public int classIndex(int id) {
        for (int i = 0; i < categories.size(); i++) {
            if (categories.get(i).id() == id) {
                return i;
            }
        }
        return OUTSIDE;
    }
}
