package org.gkc4j.nn.exec;

import org.gkc4j.GkcException;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place graphs are executed: through {@link LeanExecutor} (the default) or through SameDiff's own session,
 * chosen by the system property {@code gkc.executor} ({@code lean} or {@code samediff}). A graph the lean executor
 * cannot run (control flow, listeners attached) goes to SameDiff, said once on standard error.
 */
public final class GraphExecution {
    public static final String PROPERTY = "gkc.executor";

    public enum Executor { SAMEDIFF, LEAN }

    /** Lean since the r50 step at 512, the demo's training losses and the video network were compared under both (docs/performance.md). */
    public static final Executor DEFAULT = Executor.LEAN;
    private static volatile boolean announced;

    /** Executors by graph, held weakly: a graph dropped by its owner takes its plans and buffers with it. */
    private static final List<Entry> ENTRIES = new ArrayList<>();

    private static final class Entry {
        final WeakReference<SameDiff> graph;
        final LeanExecutor lean;
        int checkedOps = -1;
        String refused;
        boolean told;

        Entry(SameDiff sd) {
            graph = new WeakReference<>(sd);
            lean = new LeanExecutor();
        }
    }

    private GraphExecution() {
    }

    /** The executor the system property selects. */
    public static Executor selected() {
        String v = System.getProperty(PROPERTY, "");
        if (v.isBlank()) {
            return DEFAULT;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "lean" -> Executor.LEAN;
            case "samediff" -> Executor.SAMEDIFF;
            default -> throw GkcException.of("-D%s must be lean or samediff, not '%s'", PROPERTY, v);
        };
    }

    /** The selected executor in words, and how it was chosen (for {@code gkc doctor} and run provenance). */
    public static String describe() {
        Executor e = selected();
        String how = System.getProperty(PROPERTY, "").isBlank() ? "the default" : "-D" + PROPERTY + "=" + System.getProperty(PROPERTY).trim();
        return e.name().toLowerCase(Locale.ROOT) + " (" + how + "; -D" + PROPERTY + "=" + (e == Executor.LEAN ? "samediff" : "lean") + " switches)";
    }

    public static Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> placeholders, String... outputs) {
        return output(sd, placeholders, List.of(outputs));
    }

    public static Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> placeholders, List<String> outputs) {
        return output(selected(), sd, placeholders, outputs);
    }

    /** With an explicit executor (tests and benches compare the two in one process). */
    public static Map<String, INDArray> output(Executor executor, SameDiff sd, Map<String, INDArray> placeholders, List<String> outputs) {
        if (executor == Executor.LEAN) {
            Entry e = entry(sd);
            String refused;
            synchronized (e) {
                int ops = sd.getOps().size();
                if (ops != e.checkedOps) {
                    e.refused = LeanExecutor.unsupported(sd);
                    e.checkedOps = ops;
                } else if (sd.getListeners() != null && !sd.getListeners().isEmpty()) {
                    e.refused = "listeners are attached";
                } else if ("listeners are attached".equals(e.refused)) {
                    e.refused = LeanExecutor.unsupported(sd);
                }
                refused = e.refused;
                if (refused != null && !e.told) {
                    System.err.println("gkc: the lean executor leaves this graph to SameDiff: " + refused);
                    e.told = true;
                }
            }
            if (refused == null) {
                if (!announced) {
                    announced = true;
                    if (!System.getProperty(PROPERTY, "").isBlank()) {   // the default goes unannounced (gkc doctor names it)
                        System.err.println("gkc: graphs run on the lean executor (-D" + PROPERTY + "=lean)");
                    }
                }
                return e.lean.output(sd, placeholders, outputs);
            }
        }
        return sd.output(placeholders, outputs.toArray(new String[0]));
    }

    /** Calls of this graph the lean executor has run. */
    public static long leanExecutions(SameDiff sd) {
        return entry(sd).lean.executions();
    }

    /** Bytes the lean executor's plans of this graph hold in pooled buffers. */
    public static long leanPooledBytes(SameDiff sd) {
        return entry(sd).lean.pooledBytes();
    }

    /** Of this graph's lean plans: the most pooled bytes one call used at once, and the bytes of the values in them. */
    public static long[] leanPeakBytes(SameDiff sd) {
        return entry(sd).lean.peakBytes();
    }

    /** Of this graph's lean plans: the pooled bytes in use at their peak by kind of op, largest first. */
    public static List<Map.Entry<String, Long>> leanPeakComposition(SameDiff sd) {
        return entry(sd).lean.peakComposition();
    }

    /**
     * Lets the lean plans of {@code other} draw from the buffers of {@code owner}'s (their calls then take turns):
     * for graphs executed one after the other, such as a graph's forward for matching and its gradient function.
     */
    public static void shareBuffers(SameDiff owner, SameDiff other) {
        entry(other).lean.shareBuffersWith(entry(owner).lean);
    }

    /** Whether the lean plans of two graphs draw from one pool of buffers. */
    public static boolean leanSharesBuffers(SameDiff a, SameDiff b) {
        return entry(a).lean.sharesBuffersWith(entry(b).lean);
    }

    /** Frees the lean executor's buffers of this graph now (they are planned again on the next call). */
    public static void release(SameDiff sd) {
        synchronized (ENTRIES) {
            for (Entry e : ENTRIES) {
                if (e.graph.get() == sd) {
                    e.lean.close();
                }
            }
        }
    }

    private static Entry entry(SameDiff sd) {
        synchronized (ENTRIES) {
            Iterator<Entry> it = ENTRIES.iterator();
            while (it.hasNext()) {
                Entry e = it.next();
                SameDiff g = e.graph.get();
                if (g == null) {
                    it.remove();
                } else if (g == sd) {
                    return e;
                }
            }
            Entry e = new Entry(sd);
            ENTRIES.add(e);
            return e;
        }
    }
}
