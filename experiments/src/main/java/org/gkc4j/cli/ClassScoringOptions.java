package org.gkc4j.cli;

import org.gkc4j.GkcException;
import org.gkc4j.eval.SemSegEvaluator;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options eval-masks and eval-video-masks share: the classes scored, which of them are novel, and the JSON written. */
public class ClassScoringOptions {
    @Option(names = "--num-classes", required = true, description = "Number of classes N; labels are 0..N-1.")
    int numClasses;
    @Option(names = "--novel", split = ",", description = "Novel class indices (i,j,..); the other classes are base.")
    List<Integer> novel = new ArrayList<>();
    @Option(names = "--out", required = true, description = "Output JSON.")
    Path out;

    /** The evaluator of these classes; a novel class outside them is a one-line error before any file is read. */
    SemSegEvaluator evaluator(int ignoreLabel) {
        SemSegEvaluator ev = new SemSegEvaluator(numClasses, ignoreLabel);
        for (int c : novel) {
            GkcException.check(c >= 0 && c < numClasses, "novel class %d is not a class index 0..%d", c, numClasses - 1);
        }
        return ev;
    }
}
