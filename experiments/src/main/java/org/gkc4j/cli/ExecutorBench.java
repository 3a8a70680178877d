package org.gkc4j.cli;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.experiments.DemoSteps;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.nn.exec.GraphExecution.Executor;
import org.gkc4j.nn.exec.LeanExecutor;
import org.gkc4j.nn.fix.OpFixes;
import org.gkc4j.train.Trainer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Same-run A/B of the two graph executors ({@code -Dgkc.executor}): per-op overhead on chains of cheap ops, the tiny
 * network's forward, and the demo's training step. Each workload alternates the executors call by call (step by
 * step for the training), which one goes first alternating too, so the machine's drift falls on both.
 */
@Command(name = "executor", mixinStandardHelpOptions = true,
        description = "Same-run A/B of SameDiff's session against the lean executor: per-op overhead (chains of scalar and custom ops), the tiny network's forward, the demo's training step (steps/s).")
final class ExecutorBench implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Option(names = "--reps", defaultValue = "9", description = "Measured calls per executor and workload (default ${DEFAULT-VALUE}).")
    int reps;
    @Option(names = "--ops", defaultValue = "400", description = "Length of the op chains (default ${DEFAULT-VALUE}).")
    int ops;
    @Option(names = "--config", defaultValue = "configs/demo.yaml", description = "Run config whose training step is timed (default ${DEFAULT-VALUE}).")
    Path config;
    @Option(names = "--steps", defaultValue = "8", description = "Measured training steps per executor (default ${DEFAULT-VALUE}; 0 skips the training step).")
    int steps;
    @Option(names = "--profile-ops", description = "Also time the lean training step's ops by kind and write the table (TSV) here.")
    Path profileOps;

    @Override
    public Integer call() throws Exception {
        if (reps < 1 || ops < 1 || steps < 0) {
            throw GkcException.of("--reps and --ops must be at least 1, --steps at least 0");
        }
        PrintStream out = System.out;
        OpFixes.install();
        out.printf("OMP_NUM_THREADS=%s, %d cores; medians of %d calls per executor, alternating%n", System.getenv("OMP_NUM_THREADS"),
                Runtime.getRuntime().availableProcessors(), reps);
        out.println("| workload | samediff | lean | lean / samediff |");
        out.println("|---|---|---|---|");
        double[] scalar = chain(false);
        out.printf("| chain of %d scalar ops (legacy), us per op | %.1f | %.1f | %.2f |%n", ops, scalar[0] * 1e6 / ops, scalar[1] * 1e6 / ops, scalar[1] / scalar[0]);
        double[] custom = chain(true);
        out.printf("| chain of %d custom ops (add), us per op | %.1f | %.1f | %.2f |%n", ops, custom[0] * 1e6 / ops, custom[1] * 1e6 / ops, custom[1] / custom[0]);
        double[] tiny = tinyForward();
        out.printf("| tiny network forward 64x64 (configs/model/tiny.yaml), ms | %.1f | %.1f | %.2f |%n", tiny[0] * 1e3, tiny[1] * 1e3, tiny[1] / tiny[0]);
        if (steps > 0) {
            trainingSteps(out);
        }
        return 0;
    }

    /** Median seconds of one call of the graph with each executor: {samediff, lean}. */
    private double[] ab(SameDiff sd, Map<String, INDArray> ph, List<String> outputs) {
        for (Executor e : Executor.values()) {
            GraphExecution.output(e, sd, ph, outputs);     // warm-up: plans, caches
        }
        double[][] t = new double[2][reps];
        for (int r = 0; r < reps; r++) {
            for (Executor e : order(r)) {
                long s = System.nanoTime();
                GraphExecution.output(e, sd, ph, outputs);
                t[e.ordinal()][r] = (System.nanoTime() - s) / 1e9;
            }
        }
        if (GraphExecution.leanExecutions(sd) < reps) {
            throw new IllegalStateException("the lean executor did not run this graph");
        }
        return new double[]{median(t[Executor.SAMEDIFF.ordinal()]), median(t[Executor.LEAN.ordinal()])};
    }

    private double[] chain(boolean custom) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, 16);
        SDVariable c = sd.constant("c", Nd4j.rand(DataType.FLOAT, 16).muli(1e-3));
        SDVariable y = x;
        for (int i = 0; i < ops; i++) {
            y = custom ? y.add(c) : y.add(1e-3);
        }
        y.rename("y");
        return ab(sd, Map.of("x", Nd4j.rand(DataType.FLOAT, 16)), List.of("y"));
    }

    private double[] tinyForward() {
        GkcModelConfig cfg = Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), Path.of("configs/model/tiny.yaml"), List.of());
        GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).seed(1).build();
        GkcNetwork.Outputs o = new GkcNetwork(ctx, cfg).forward(ctx.sd().placeHolder("images", DataType.FLOAT, 1, 3, 64, 64));
        List<String> outputs = new ArrayList<>();
        for (int s = 0; s < o.sets(); s++) {
            outputs.add(o.masks().get(s).name());
            outputs.add(o.classEmbeddings().get(s).name());
        }
        return ab(ctx.sd(), Map.of("images", Nd4j.randn(DataType.FLOAT, 1, 3, 64, 64)), outputs);
    }

    private void trainingSteps(PrintStream out) throws Exception {
        try (DemoSteps demo = DemoSteps.open(config, List.of())) {
            String before = System.getProperty(GraphExecution.PROPERTY);
            try {
                Map<Executor, List<Trainer.StepResult>> results = new LinkedHashMap<>();
                for (Executor e : Executor.values()) {
                    results.put(e, new ArrayList<>());
                    System.setProperty(GraphExecution.PROPERTY, e.name().toLowerCase());
                    demo.step();                         // warm-up: graph building, plans, caches
                }
                for (int s = 0; s < steps; s++) {
                    for (Executor e : order(s)) {
                        System.setProperty(GraphExecution.PROPERTY, e.name().toLowerCase());
                        results.get(e).add(demo.step());
                    }
                }
                double[] med = new double[2];
                for (Executor e : Executor.values()) {
                    med[e.ordinal()] = median(results.get(e).stream().mapToDouble(Trainer.StepResult::seconds).toArray());
                }
                out.printf("| training step of %s, steps/s | %.3f | %.3f | %.2fx faster |%n", config, 1 / med[0], 1 / med[1], med[0] / med[1]);
                for (String phase : results.get(Executor.SAMEDIFF).get(0).phaseSeconds().keySet()) {
                    double a = median(results.get(Executor.SAMEDIFF).stream().mapToDouble(r -> r.phaseSeconds().getOrDefault(phase, 0.0)).toArray());
                    double b = median(results.get(Executor.LEAN).stream().mapToDouble(r -> r.phaseSeconds().getOrDefault(phase, 0.0)).toArray());
                    out.printf("| - %s, s | %.3f | %.3f | %.2f |%n", phase, a, b, b / a);
                }
                // the same batch fed again and again: forward for matching, then matching on its outputs
                org.gkc4j.data.TrainingBatch batch = demo.nextBatch();
                double[][] fwd = new double[2][reps], match = new double[2][reps];
                for (int r = 0; r < reps; r++) {
                    for (Executor e : order(r)) {
                        System.setProperty(GraphExecution.PROPERTY, e.name().toLowerCase());
                        Trainer.Fed fed = demo.trainer().feed(batch, 0, 0);
                        fwd[e.ordinal()][r] = fed.forwardSeconds();
                        match[e.ordinal()][r] = fed.matchingSeconds();
                    }
                }
                out.printf("| one fixed batch: forward for matching, s | %.3f | %.3f | %.2f |%n", median(fwd[0]), median(fwd[1]), median(fwd[1]) / median(fwd[0]));
                out.printf("| one fixed batch: matching on its outputs, s | %.3f | %.3f | %.2f |%n", median(match[0]), median(match[1]), median(match[1]) / median(match[0]));
                if (profileOps != null) {
                    profile(out, demo);
                }
            } finally {
                if (before == null) {
                    System.clearProperty(GraphExecution.PROPERTY);
                } else {
                    System.setProperty(GraphExecution.PROPERTY, before);
                }
            }
        }
    }

    /** Where the lean step's time goes: per op kind inside the graphs, the executor's own share, and the rest of the step. */
    private void profile(PrintStream out, DemoSteps demo) throws Exception {
        System.setProperty(GraphExecution.PROPERTY, "lean");
        String plansBefore = LeanExecutor.planningStats();
        LeanExecutor.startProfile();
        double total = 0;
        Map<String, Double> phases = new LinkedHashMap<>();
        for (int s = 0; s < steps; s++) {
            Trainer.StepResult r = demo.step();
            total += r.seconds();
            r.phaseSeconds().forEach((k, v) -> phases.merge(k, v, Double::sum));
        }
        Map<String, long[]> table = LeanExecutor.stopProfile();
        double inGraphs = table.values().stream().mapToLong(c -> c[1]).sum() / 1e9;
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(table.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        StringBuilder tsv = new StringBuilder("op\tcalls per step\tseconds per step\tshare of step\n");
        for (Map.Entry<String, long[]> e : rows) {
            tsv.append(String.format("%s\t%.1f\t%.4f\t%.3f%n", e.getKey(), e.getValue()[0] / (double) steps, e.getValue()[1] / 1e9 / steps,
                    e.getValue()[1] / 1e9 / total));
        }
        tsv.append(String.format("(outside the graphs: matching, criterion preparation, update, data)\t\t%.4f\t%.3f%n", (total - inGraphs) / steps,
                (total - inGraphs) / total));
        Files.writeString(profileOps, tsv.toString());
        out.printf("lean step profile over %d steps (%.3f s per step; phases %s): %.0f %% inside graphs, of which the largest:%n", steps, total / steps,
                phasesText(phases, steps), 100 * inGraphs / total);
        for (int i = 0; i < Math.min(12, rows.size()); i++) {
            long[] c = rows.get(i).getValue();
            out.printf("  %-32s %6.0f calls %7.1f ms  %4.1f %%%n", rows.get(i).getKey(), c[0] / (double) steps, c[1] / 1e6 / steps, 100 * c[1] / 1e9 / total);
        }
        out.printf("  table: %s; lean planning before: %s, after: %s%n", profileOps, plansBefore, LeanExecutor.planningStats());
    }

    /**
     * Which executor goes first in round {@code r}: alternating, so that neither always pays for the garbage or the
     * cache state the other leaves behind.
     */
    private static List<Executor> order(int r) {
        return r % 2 == 0 ? List.of(Executor.SAMEDIFF, Executor.LEAN) : List.of(Executor.LEAN, Executor.SAMEDIFF);
    }

    private static String phasesText(Map<String, Double> phases, int steps) {
        StringBuilder b = new StringBuilder();
        phases.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(String.format("%s %.3f", k, v / steps)));
        return b.toString();
    }

    private static double median(double[] v) {
        double[] t = v.clone();
        Arrays.sort(t);
        return t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
    }
}
