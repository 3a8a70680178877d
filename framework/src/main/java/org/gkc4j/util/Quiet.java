package org.gkc4j.util;

import org.nd4j.autodiff.samediff.SameDiff;

import java.io.OutputStream;
import java.io.PrintStream;

/** Silences M2.1's gradient-graph construction, which prints one line per op to standard output. */
public final class Quiet {
    private Quiet() {
    }

    public static synchronized void createGradFunction(SameDiff sd) {
        org.gkc4j.nn.fix.OpFixes.install();   // SameDiff re-creates the graph's ops for the gradient graph: use the fixed classes
        PrintStream original = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            sd.createGradFunction();
        } finally {
            System.setOut(original);
        }
    }
}
