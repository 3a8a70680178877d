package org.gkc4j.util;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a SameDiff graph spends its time, by op kind: attach it to a graph, run, then {@link #write} a table of
 * calls, seconds in the op and seconds between ops (SameDiff's own scheduling and bookkeeping). Enabled for training
 * with {@code -Dgkc.profile.ops=FILE}; SameDiff's own ProfilingListener writes one trace event per op, too much for a
 * training run.
 */
public final class OpTimeProfile extends BaseListener {
    /** The system property naming the table a profiled run writes. */
    public static final String PROPERTY = "gkc.profile.ops";

    private record Totals(long calls, long nanos) {
    }

    private final Map<String, Totals> byOp = new HashMap<>();
    private long opStart, lastEnd, between;

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    /** A graph execution starts: the gap since the previous one is not SameDiff's per-op overhead. */
    @Override
    public void operationStart(SameDiff sd, Operation operation) {
        lastEnd = 0;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        opStart = System.nanoTime();
        if (lastEnd != 0) {
            between += opStart - lastEnd;
        }
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
        long end = System.nanoTime();
        byOp.merge(op.getOp().opName(), new Totals(1, end - opStart), (a, b) -> new Totals(a.calls + b.calls, a.nanos + b.nanos));
        lastEnd = end;
    }

    /** Writes the table (op, calls, seconds, share), slowest first, with the between-op time as its own row. */
    public void write(Path file) throws IOException {
        List<Map.Entry<String, Totals>> rows = new ArrayList<>(byOp.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue().nanos, a.getValue().nanos));
        long total = between + rows.stream().mapToLong(e -> e.getValue().nanos).sum();
        StringBuilder sb = new StringBuilder("op\tcalls\tseconds\tshare\n");
        sb.append(String.format("(between ops)\t-\t%.3f\t%.3f%n", between / 1e9, between / (double) Math.max(1, total)));
        for (var e : rows) {
            sb.append(String.format("%s\t%d\t%.3f\t%.3f%n", e.getKey(), e.getValue().calls, e.getValue().nanos / 1e9,
                    e.getValue().nanos / (double) Math.max(1, total)));
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }
}
