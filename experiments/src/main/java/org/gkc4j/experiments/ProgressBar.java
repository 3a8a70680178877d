package org.gkc4j.experiments;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on standard error: position, rate, elapsed and remaining time, and a status text.
 * Redraws at most a few times a second; prints plain lines instead when stderr is not a terminal (logs, CI). A total
 * of 0 or less means unknown: the count and rate are shown without a bar or remaining time.
 */
public final class ProgressBar implements AutoCloseable {
    private final String label;
    private final long total;
    private final String unit;
    private final PrintStream out = System.err;
    private final long start = System.nanoTime();
    private final boolean interactive = System.console() != null;
    private long lastDraw;
    private long lastLine;
    private long position;

    public ProgressBar(String label, long total, String unit) {
        this.label = label;
        this.total = total;
        this.unit = unit;
    }

    public void step(long to, String status) {
        position = to;
        long now = System.nanoTime();
        boolean done = total > 0 && to >= total;
        if (interactive) {
            if (done || now - lastDraw > 200_000_000L) {
                out.print("\r" + render(status) + "\u001b[K");
                lastDraw = now;
            }
        } else if (done || now - lastLine > 10_000_000_000L || to == 1) {
            out.println(render(status));
            lastLine = now;
        }
    }

    String render(String status) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double rate = position / Math.max(elapsed, 1e-9);
        if (total <= 0) {
            return String.format(Locale.ROOT, "%s %d %s %.2f %s/s %s %s", label, position, unit, rate, unit, clock(elapsed), status == null ? "" : status);
        }
        double remaining = rate > 0 ? (total - position) / rate : 0;
        int width = 24, filled = (int) (width * Math.min(1.0, position / (double) Math.max(1, total)));
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d %s %.2f %s/s %s<%s %s", label, "#".repeat(filled), ".".repeat(width - filled),
                position, total, unit, rate, unit, clock(elapsed), clock(remaining), status == null ? "" : status);
    }

    static String clock(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String.format(Locale.ROOT, "%02d:%02d", t / 60, t % 60);
    }

    @Override
    public void close() {
        if (interactive) {
            out.println();
        }
    }

    /**
     * A bar opened at the first step, when the total is known (tasks that count their work once they start), so a task
     * that fails before it starts draws nothing; closing closes the bar if it was opened.
     */
    public static final class Deferred implements AutoCloseable {
        private final String label;
        private final String unit;
        private ProgressBar bar;

        public Deferred(String label, String unit) {
            this.label = label;
            this.unit = unit;
        }

        public void step(long done, long total, String status) {
            if (bar == null) {
                bar = new ProgressBar(label, total, unit);
            }
            bar.step(done, status);
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
