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

    /** Classes of the primary output (the first of each unit), for the summary's "classes present". */
    int numClasses();

    /**
     * The units of work in a fixed order. Only paths and small indexes are held; pixels are read when a unit runs.
     * A missing folder or list is a one-line {@link org.gkc4j.GkcException}; damage found while planning (an
     * unparsable side file) goes to the report.
     */
    List<PrepareUnit> plan(Path root, LoadOptions options, LoadReport report);
}
