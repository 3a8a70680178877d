package org.gkc4j.pipeline.prepare;

import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;

import java.nio.file.Path;
import java.util.List;

/**
 * One dataset's preparation rule: from the files its owners publish (under a datasets root) to the layout the
 * {@code SemanticDataset} readers expect. A rule only plans and converts; {@link Preparer} runs the plan one unit at a
 * time, skips units whose outputs exist, writes atomically, counts damage and keeps the figures.
 */
public interface Preparation {
    /** The name on the command line ({@code coco-stuff}, {@code cityscapes-19}, ...). */
    String key();

    /**
     * The work: units in a fixed order and the class count of their primary output. Only paths and small indexes are
     * held; pixels are read when a unit runs. A missing folder or list is a one-line {@link org.gkc4j.GkcException};
     * a missing optional part (one split of two) is a warning in the report.
     */
    Plan plan(Path root, LoadOptions options, LoadReport report);

    /**
     * @param units      the units of work
     * @param numClasses classes of the primary output (the first of each unit), for the summary's "classes present"
     */
    record Plan(List<PrepareUnit> units, int numClasses) {
        public Plan {
            units = List.copyOf(units);
        }
    }
}
