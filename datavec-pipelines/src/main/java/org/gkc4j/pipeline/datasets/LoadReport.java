package org.gkc4j.pipeline.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a dataset load skipped and why. Every warning is counted; the first {@link #KEPT} messages are kept and the
 * first {@link #ECHOED} are also passed to the sink (by default standard error), so a badly damaged dataset does not
 * flood the console.
 */
public final class LoadReport {
    public static final int KEPT = 200;
    public static final int ECHOED = 20;

    /** An immutable copy of the counts. */
    public record Summary(long samplesLoaded, long samplesSkipped, long segmentsDropped, long droppedPixels, long otherWarnings, List<String> messages) {
        public Summary {
            messages = List.copyOf(messages);
        }

        public long warnings() {
            return samplesSkipped + segmentsDropped + otherWarnings;
        }

        @Override
        public String toString() {
            return samplesLoaded + " samples loaded, " + samplesSkipped + " skipped as damaged, " + segmentsDropped
                    + " unknown segment ids dropped (" + droppedPixels + " pixels), " + otherWarnings + " other warnings";
        }
    }

    private final Consumer<String> sink;
    private long loaded, skipped, segmentsDropped, droppedPixels, other, echoed;
    private final List<String> messages = new ArrayList<>();

    public LoadReport(Consumer<String> sink) {
        this.sink = sink;
    }

    /** Warnings go to standard error as {@code gkc: warning: ...}. */
    public static LoadReport toStderr() {
        return new LoadReport(m -> System.err.println("gkc: warning: " + m));
    }

    /** Counts and keeps messages without printing them. */
    public static LoadReport quiet() {
        return new LoadReport(m -> { });
    }

    public synchronized void sampleLoaded() {
        loaded++;
    }

    public synchronized void sampleSkipped(String message) {
        skipped++;
        warn(message);
    }

    public synchronized void segmentsDropped(int count, long pixels, String message) {
        segmentsDropped += count;
        droppedPixels += pixels;
        warn(message);
    }

    public synchronized void otherWarning(String message) {
        other++;
        warn(message);
    }

    private void warn(String message) {
        if (messages.size() < KEPT) {
            messages.add(message);
        }
        if (echoed < ECHOED) {
            sink.accept(message);
        } else if (echoed == ECHOED) {
            sink.accept("more warnings follow; they are counted in the load report but not printed");
        }
        echoed++;
    }

    public synchronized Summary summary() {
        return new Summary(loaded, skipped, segmentsDropped, droppedPixels, other, messages);
    }
}
