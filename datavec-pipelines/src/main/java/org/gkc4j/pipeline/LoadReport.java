package org.gkc4j.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What loading skipped and why; goes into a run's report. */
public final class LoadReport {
    private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());

    public void skip(String sample, String reason) {
        skipped.add(sample + ": " + reason);
        System.err.println("gkc: warning: skipped " + sample + " (" + reason + ")");
    }

    public int skippedCount() {
        return skipped.size();
    }

    public List<String> skipped() {
        synchronized (skipped) {
            return List.copyOf(skipped);
        }
    }
}
