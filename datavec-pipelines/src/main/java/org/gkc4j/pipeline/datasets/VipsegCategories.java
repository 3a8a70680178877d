package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * VIPSeg's 124 categories in VIPSeg's order with GKC's seen/unseen split, as shipped in
 * {@code classnames/vipseg-124.tsv} (columns {@code index, dataset_id, name, isthing, split}). A category's VIPSeg id
 * is its {@code dataset_id}; the split's 12 unseen categories are the ones GKC holds out of training.
 */
public final class VipsegCategories {
    /** The key of the shipped list. */
    public static final String KEY = "vipseg-124";

    /** One VIPSeg category: its id in VIPSeg's JSON and masks, its name, whether it is a thing, whether GKC holds it out. */
    public record Category(int id, String name, boolean thing, boolean unseen) {
    }

    private static volatile VipsegCategories shipped;
    private final List<Category> categories;
    private final Category[] byId;

    private VipsegCategories(List<Category> categories) {
        this.categories = List.copyOf(categories);
        int maxId = categories.stream().mapToInt(Category::id).max().orElse(-1);
        this.byId = new Category[maxId + 1];
        for (Category c : categories) {
            GkcException.check(c.id() >= 0 && byId[c.id()] == null, "VIPSeg category id %d is negative or appears twice", c.id());
            byId[c.id()] = c;
        }
    }

    /** The list shipped with gkc4j. */
    public static VipsegCategories shipped() {
        VipsegCategories c = shipped;
        if (c == null) {
            c = read();
            shipped = c;
        }
        return c;
    }

    private static VipsegCategories read() {
        ClassNames.Table t = ClassNames.table(KEY);
        int iId = t.column("dataset_id"), iName = t.column("name"), iThing = t.column("isthing"), iSplit = t.column("split");
        GkcException.check(iId >= 0 && iName >= 0 && iThing >= 0 && iSplit >= 0, "class list %s lacks a dataset_id, name, isthing or split column", t.source());
        List<Category> out = new ArrayList<>();
        for (List<String> row : t.rows()) {
            String split = row.get(iSplit);
            GkcException.check(split.equals("seen") || split.equals("unseen"), "class list %s: split '%s' is neither seen nor unseen", t.source(), split);
            out.add(new Category(Integer.parseInt(row.get(iId)), row.get(iName), row.get(iThing).equals("1"), split.equals("unseen")));
        }
        return new VipsegCategories(out);
    }

    /** All categories in VIPSeg's order. */
    public List<Category> all() {
        return categories;
    }

    /** The category of a VIPSeg id, or null when VIPSeg defines no such id. */
    public Category byId(int id) {
        return id >= 0 && id < byId.length ? byId[id] : null;
    }

    /** The VIPSeg ids of GKC's unseen categories, ascending. */
    public Set<Integer> unseenIds() {
        TreeSet<Integer> s = new TreeSet<>();
        categories.stream().filter(Category::unseen).forEach(c -> s.add(c.id()));
        return java.util.Collections.unmodifiableSet(s);
    }

    /** The categories of {@code split} in VIPSeg's order, with each one's class index. */
    public VipsegVocabulary vocabulary(VipsegSplit split) {
        return new VipsegVocabulary(split, categories.stream().filter(split::includes).toList());
    }
}
