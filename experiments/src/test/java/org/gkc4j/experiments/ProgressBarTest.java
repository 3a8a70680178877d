package org.gkc4j.experiments;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarTest {
    /** A known total shows a bar and position/total; an unknown one (0) shows the count without a bar or a negative time. */
    @Test
    void knownAndUnknownTotals() {
        try (ProgressBar known = new ProgressBar("eval", 4, "images"); ProgressBar unknown = new ProgressBar("eval", 0, "images")) {
            known.step(1, "a");
            assertTrue(known.render("a").contains("[######..................] 1/4 images"), known.render("a"));
            unknown.step(3, "b");
            String line = unknown.render("b");
            assertTrue(line.startsWith("eval 3 images "), line);
            assertFalse(line.contains("[") || line.contains("/0") || line.contains("-"), line);
        }
    }
}
