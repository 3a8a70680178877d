package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.SemanticDataset;
import org.gkc4j.pipeline.datasets.Split;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset read as released (ADE20K-150's {@code ADEChallengeData2016}, Pascal VOC 2012's {@code VOCdevkit/VOC2012}):
 * nothing to write, so preparing it validates the layout: every label file of each split exists, has its image, and
 * holds only values the dataset defines (its {@link org.gkc4j.pipeline.datasets.LabelEncoding}). A split whose
 * folder or list is missing is a warning; both missing is an error.
 */
public final class ReleasedLayoutCheck implements Preparation {
    private final String key;
    private final SemanticDataset dataset;

    public ReleasedLayoutCheck(String key, SemanticDataset dataset) {
        this.key = key;
        this.dataset = dataset;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public Plan plan(Path root, LoadOptions options, LoadReport report) {
        List<PrepareUnit> units = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Split split : Split.values()) {
            List<Path> files;
            try {
                files = dataset.layout().labelFiles(root, split);
            } catch (GkcException e) {
                missing.add(e.getMessage());
                report.otherWarning(e.getMessage());
                continue;
            }
            for (Path f : files) {
                units.add(new PrepareUnit(root.relativize(f).toString(), List.of(), () -> List.of(check(dataset, root, split, f, options))));
            }
        }
        if (missing.size() == Split.values().length) {
            throw GkcException.of("%s not found under %s: %s", key, root, missing.get(0));
        }
        return new Plan(units, dataset.numClasses());
    }

    /** One label file: present, its image present, its values defined; else a {@link GkcException} saying which. */
    static LabelOutput check(SemanticDataset dataset, Path root, Split split, Path file, LoadOptions options) {
        if (!Files.isRegularFile(file)) {
            throw GkcException.of("label file not found: %s", file);
        }
        Path image = dataset.layout().imageFor(root, split, file);
        if (!Files.isRegularFile(image)) {
            throw GkcException.of("image not found: %s (for %s)", image, file);
        }
        LabelMap raw = LabelMap.read(file, options.maxImagePixels());
        int[] encoded = dataset.encoding().encode(raw, file);
        return LabelOutput.checked(new LabelMap(raw.width(), raw.height(), encoded), dataset.ignoreLabel());
    }
}
