package org.gkc4j.pipeline.prepare;

import java.nio.file.Path;
import java.util.List;

/**
 * One input of a preparation (usually one label file) and the files it becomes.
 *
 * @param name    the input's name for progress and damage messages
 * @param targets the files the unit writes; when all exist the unit is skipped as done. Empty for a unit that only
 *                checks its input (a dataset read as released)
 * @param work    reads the input and returns its outputs; a damaged input is a {@link org.gkc4j.GkcException}
 */
public record PrepareUnit(String name, List<Path> targets, Work work) {
    public PrepareUnit {
        targets = List.copyOf(targets);
    }

    /** Reads one input; returns the label maps to write (or, for a check, to count), in target order. */
    @FunctionalInterface
    public interface Work {
        List<LabelOutput> run();
    }
}
