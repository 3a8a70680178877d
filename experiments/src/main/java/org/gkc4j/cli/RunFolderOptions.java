package org.gkc4j.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options train and train-video share: config overrides, the run's output folder, and resuming from it. */
public class RunFolderOptions {
    @Option(names = "--set", description = "Override a config key (a.b=value); repeatable.")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;
    @Option(names = "--resume", description = "Continue from the folder's checkpoint.")
    boolean resume;
}
