package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.SemanticDataset;
import org.gkc4j.pipeline.datasets.Split;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checks a prepared datasets root against a benchmark's official validation split: the number of label files, and
 * for each that its image exists and its values are the dataset's classes or ignore value. Every problem is one line.
 */
public final class DatasetCheck {
    /** A benchmark's validation split as published. */
    public record Expectation(SemanticDataset dataset, int valImages) {
    }

    /** Official validation sizes: COCO val2017 5,000, ADE20K 2,000, PASCAL-Context 5,105, VOC 2012 1,449, Cityscapes 500. */
    static final Map<String, Expectation> OFFICIAL = Map.ofEntries(
            Map.entry("coco-stuff", new Expectation(SemanticDataset.COCO_STUFF_171, 5000)),
            Map.entry("coco-panoptic", new Expectation(SemanticDataset.COCO_PANOPTIC_133, 5000)),
            Map.entry("ade20k-150", new Expectation(SemanticDataset.ADE20K_150, 2000)),
            Map.entry("ade20k-847", new Expectation(SemanticDataset.ADE20K_847, 2000)),
            Map.entry("pascal-context-59", new Expectation(SemanticDataset.PASCAL_CONTEXT_59, 5105)),
            Map.entry("pascal-context-459", new Expectation(SemanticDataset.PASCAL_CONTEXT_459, 5105)),
            Map.entry("pascal-voc-20", new Expectation(SemanticDataset.PASCAL_VOC_20, 1449)),
            Map.entry("cityscapes-19", new Expectation(SemanticDataset.CITYSCAPES_19, 500)));

    private DatasetCheck() {
    }

    /** The expectation for a name of {@code gkc data prepare} or a {@link SemanticDataset} key. */
    public static Expectation expectation(String key) {
        Expectation e = OFFICIAL.get(key);
        if (e == null) {
            e = OFFICIAL.values().stream().filter(x -> x.dataset().key().equals(key)).findFirst().orElseThrow(() ->
                    GkcException.of("unknown dataset %s; known: %s", key, String.join(", ", new java.util.TreeSet<>(OFFICIAL.keySet()))));
        }
        return e;
    }

    /** Runs the check; each problem goes to {@code problems} as it is found; returns how many there were. */
    public static long run(String key, Path root, Preparer.Progress progress, Consumer<String> problems) {
        Expectation e = expectation(key);
        SemanticDataset ds = e.dataset();
        List<Path> files;
        try {
            files = ds.layout().labelFiles(root, Split.VAL);
        } catch (GkcException ex) {
            problems.accept(ex.getMessage());
            return 1;
        }
        long n = 0, count = 0;
        if (files.size() != e.valImages()) {
            problems.accept(String.format(Locale.ROOT, "%s val: %d label files, the official split has %d (%s)", key, files.size(),
                    e.valImages(), ds.layout().describe(Split.VAL)));
            count++;
        }
        LoadOptions options = LoadOptions.failOnDamage();
        for (Path f : files) {
            try {
                ReleasedLayoutCheck.check(ds, root, Split.VAL, f, options);
            } catch (GkcException ex) {
                problems.accept(ex.getMessage());
                count++;
            }
            progress.unitDone(++n, files.size(), f.getFileName().toString());
        }
        return count;
    }

    /** All problems as a list (tests). */
    public static List<String> problems(String key, Path root) {
        List<String> out = new ArrayList<>();
        run(key, root, Preparer.Progress.NONE, out::add);
        return out;
    }
}
