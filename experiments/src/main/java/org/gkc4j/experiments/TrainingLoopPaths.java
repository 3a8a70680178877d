package org.gkc4j.experiments;

/** A run config as another machine or working folder reads it: its file paths absolute. */
public final class TrainingLoopPaths {
    private TrainingLoopPaths() {
    }

    public static RunConfig absolute(RunConfig cfg) {
        return TrainingLoop.absolutePaths(cfg);
    }
}
