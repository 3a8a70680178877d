package org.gkc4j.experiments;

import org.deeplearning4j.arbiter.optimize.api.AbstractParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.saving.InMemoryResultSaver;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;
import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.io.AtomicFiles;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * Hyper-parameter search with Arbiter's generic API driving GKC training runs: a parameter space over run-config
 * keys, Arbiter's random or grid candidate generator, a task creator whose callable trains and evaluates one run
 * (the same trainer as {@code gkc train}), and the objective read from the run's metrics. Candidates are generated
 * deterministically from the seed and trial {@code i} lives in {@code out/trial-i}; finished trials of the same
 * settings are reused (of other settings: refused) and interrupted ones resumed, so a sweep resumes after interruption.
 */
public final class ArbiterSweep {
    /** A trial's overrides as Arbiter sees it (Serializable, as Candidate requires). */
    public static final class Trial implements Serializable {
        final LinkedHashMap<String, String> overrides;

        Trial(LinkedHashMap<String, String> overrides) {
            this.overrides = overrides;
        }

        List<String> asSet() {
            List<String> out = new ArrayList<>();
            overrides.forEach((k, v) -> out.add(k + "=" + v));
            return out;
        }
    }

    /** The composite space: one Arbiter leaf per config key; numParameters is the sum over the leaves. */
    public static final class TrialSpace extends AbstractParameterSpace<Trial> {
        private final LinkedHashMap<String, ParameterSpace<?>> leaves;

        TrialSpace(LinkedHashMap<String, ParameterSpace<?>> leaves) {
            this.leaves = leaves;
        }

        @Override
        public Trial getValue(double[] values) {
            LinkedHashMap<String, String> o = new LinkedHashMap<>();
            leaves.forEach((k, leaf) -> {
                Object v = leaf.getValue(values);
                o.put(k, v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : String.valueOf(v));
            });
            return new Trial(o);
        }

        @Override
        public int numParameters() {
            return leaves.values().stream().mapToInt(ParameterSpace::numParameters).sum();
        }

        @Override
        @SuppressWarnings("rawtypes")
        public List<ParameterSpace> collectLeaves() {
            List<ParameterSpace> out = new ArrayList<>();
            for (ParameterSpace<?> p : leaves.values()) {
                out.addAll(p.collectLeaves());
            }
            return out;
        }

        @Override
        public boolean isLeaf() {
            return false;
        }

        @Override
        public void setIndices(int... indices) {
            throw new UnsupportedOperationException("a composite space has no indices of its own");
        }
    }

    public record TrialResult(int index, List<String> overrides, double score, Path dir) {
    }

    private ArbiterSweep() {
    }

    static LinkedHashMap<String, ParameterSpace<?>> leaves(SweepConfig cfg) {
        LinkedHashMap<String, ParameterSpace<?>> out = new LinkedHashMap<>();
        for (var e : cfg.space().entrySet()) {
            SweepConfig.Space s = e.getValue();
            if (s.type() == null) {
                throw GkcException.of("sweep space '%s' needs a type: double, int or choice", e.getKey());
            }
            if ((s.type().equals("double") || s.type().equals("int")) && !(s.min() < s.max())) {
                throw GkcException.of("sweep space '%s': a %s range needs min < max (got min %s, max %s)", e.getKey(), s.type(), s.min(), s.max());
            }
            ParameterSpace<?> leaf = switch (s.type()) {
                case "double" -> s.log() ? new LogUniform(s.min(), s.max()) : new ContinuousParameterSpace(s.min(), s.max());
                case "int" -> new IntegerParameterSpace(s.min().intValue(), s.max().intValue());
                case "choice" -> {
                    if (s.values() == null || s.values().isEmpty()) {
                        throw GkcException.of("sweep space '%s' of type choice lists no values", e.getKey());
                    }
                    yield new DiscreteParameterSpace<>(s.values().toArray(new String[0]));
                }
                default -> throw GkcException.of("sweep space '%s': type must be double, int or choice, not '%s'", e.getKey(), s.type());
            };
            out.put(e.getKey(), leaf);
        }
        if (out.isEmpty()) {
            throw new GkcException("the sweep's space is empty");
        }
        return out;
    }

    /** A continuous space uniform in log(value). */
    public static final class LogUniform extends ContinuousParameterSpace {
        private final double lo, hi;
        private int index = -1;

        public LogUniform(double min, double max) {
            super(Math.log(min), Math.log(max));
            if (min <= 0) {
                throw GkcException.of("a log-uniform range needs a positive minimum, got %s", min);
            }
            this.lo = Math.log(min);
            this.hi = Math.log(max);
        }

        @Override
        public void setIndices(int... indices) {
            super.setIndices(indices);
            index = indices[0];
        }

        @Override
        public Double getValue(double[] input) {
            return Math.exp(lo + (hi - lo) * input[index]);
        }
    }

    public static List<TrialResult> run(Path configFile, SweepConfig cfg, List<String> extra, Path out, StudyLauncher launcher) throws Exception {
        Path base = configFile.toAbsolutePath().getParent().resolve(cfg.base()).normalize();
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("sweep.yaml"), Configs.toYaml(cfg));
        TrialSpace space = new TrialSpace(leaves(cfg));
        CandidateGenerator generator = switch (cfg.strategy()) {
            case "random" -> new RandomSearchGenerator(space, null);
            case "grid" -> new GridSearchCandidateGenerator(space, cfg.gridPoints(), GridSearchCandidateGenerator.Mode.Sequential, null);
            default -> throw GkcException.of("sweep strategy must be random or grid, not '%s'", cfg.strategy());
        };
        List<TrialResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
        // Arbiter counts a trial that throws as failed and goes on; a user's error must end the sweep in its own words
        java.util.concurrent.atomic.AtomicReference<GkcException> refused = new java.util.concurrent.atomic.AtomicReference<>();
        TaskCreator tasks = new TaskCreator() {
            @Override
            public Callable<OptimizationResult> create(Candidate candidate, DataProvider dp, ScoreFunction sf, List<StatusListener> l, IOptimizationRunner runner) {
                return create(candidate, (Class<? extends DataSource>) null, null, sf, l, runner);
            }

            @Override
            public Callable<OptimizationResult> create(Candidate candidate, Class<? extends DataSource> ds, Properties props, ScoreFunction sf,
                                                       List<StatusListener> l, IOptimizationRunner runner) {
                return () -> {
                    Trial trial = (Trial) candidate.getValue();
                    Path dir = out.resolve("trial-" + candidate.getIndex());
                    long started = System.currentTimeMillis();
                    double score;
                    try {
                        if (refused.get() != null) {
                            return failed(candidate, started);   // the sweep ends with that refusal: train nothing more
                        }
                        score = runTrial(base, cfg, trial, extra, dir, launcher);
                    } catch (GkcException e) {
                        refused.compareAndSet(null, e);
                        return failed(candidate, started);       // thrown, Arbiter would log it with its stack trace
                    }
                    results.add(new TrialResult(candidate.getIndex(), trial.asSet(), score, dir));
                    report(out, cfg, results);
                    // the runner reads the candidate's status from the result: without it every trial counts as failed
                    CandidateInfo info = new CandidateInfo(candidate.getIndex(), CandidateStatus.Complete, score, started, started,
                            System.currentTimeMillis(), candidate.getFlatParameters(), null);
                    OptimizationResult r = new OptimizationResult(candidate, score, candidate.getIndex(), null, info, null);
                    runner.getConfiguration().getResultSaver().saveModel(r, null);
                    return r;
                };
            }
        };
        int trials = cfg.strategy().equals("grid") ? ((GridSearchCandidateGenerator) generator).getTotalNumCandidates() : cfg.trials();
        OptimizationConfiguration oc = new OptimizationConfiguration.Builder()
                .candidateGenerator(generator)
                .scoreFunction(new ObjectiveScore())
                .modelSaver(new InMemoryResultSaver())
                .terminationConditions(new MaxCandidatesCondition(trials))
                .rngSeed(cfg.seed())
                .build();
        LocalOptimizationRunner runner = new LocalOptimizationRunner(launcher.parallelism(), oc, tasks);
        runner.execute();
        if (refused.get() != null) {
            throw refused.get();
        }
        if (runner.numCandidatesFailed() > 0) {
            System.err.printf("gkc: %d of %d trials failed%n", runner.numCandidatesFailed(), runner.numCandidatesTotal());
        }
        report(out, cfg, results);
        return results;
    }

    private static OptimizationResult failed(Candidate candidate, long started) {
        CandidateInfo info = new CandidateInfo(candidate.getIndex(), CandidateStatus.Failed, Double.NaN, started, started,
                System.currentTimeMillis(), candidate.getFlatParameters(), null);
        return new OptimizationResult(candidate, Double.NaN, candidate.getIndex(), null, info, null);
    }

    static double runTrial(Path base, SweepConfig cfg, Trial trial, List<String> extra, Path dir, StudyLauncher launcher) throws Exception {
        List<String> overrides = new ArrayList<>(cfg.set());
        overrides.addAll(trial.asSet());
        overrides.addAll(extra);
        RunConfig rc = Configs.load(RunConfig.class, RunConfig.defaults(), base, overrides);
        SemSegMetrics m = AblationRunner.finished(dir, rc) ? AblationRunner.readMetrics(dir.resolve(TrainingRun.METRICS)) : launcher.run(rc, dir);
        return switch (cfg.objective()) {
            case "hIoU" -> m.hIoU();
            case "mIoU" -> m.mIoU();
            case "mIoU_base" -> m.mIoUBase();
            case "mIoU_novel" -> m.mIoUNovel();
            default -> throw GkcException.of("sweep objective must be hIoU, mIoU, mIoU_base or mIoU_novel, not '%s'", cfg.objective());
        };
    }

    static void report(Path out, SweepConfig cfg, List<TrialResult> results) {
        List<TrialResult> sorted;
        synchronized (results) {
            sorted = new ArrayList<>(results);
        }
        sorted.sort(Comparator.comparingDouble((TrialResult t) -> Double.isNaN(t.score()) ? Double.POSITIVE_INFINITY : -t.score()));   // best first, failed (NaN) last
        StringBuilder md = new StringBuilder("# " + cfg.title() + "\n\n");
        md.append("Objective: ").append(cfg.objective()).append(" (higher is better), ").append(cfg.strategy()).append(" search.\n\n");
        md.append("| rank | trial | ").append(cfg.objective()).append(" | overrides |\n|---|---|---|---|\n");
        int rank = 1;
        for (TrialResult t : sorted) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %.2f | `%s` |%n", rank++, t.index(), t.score(), String.join(" ", t.overrides())));
        }
        if (!sorted.isEmpty()) {
            md.append("\nBest configuration: `").append(String.join(" ", sorted.get(0).overrides())).append("`\n");
        }
        AtomicFiles.writeString(out.resolve("results.md"), md.toString());
        Map<String, Object> json = new LinkedHashMap<>();
        for (TrialResult t : sorted) {
            json.put("trial-" + t.index(), Map.of("score", t.score(), "overrides", t.overrides()));
        }
        AtomicFiles.writeString(out.resolve("results.json"), Configs.toJson(json));
    }

    /** The task computes the objective itself; Arbiter only needs to know it is maximised. */
    public static final class ObjectiveScore implements ScoreFunction {
        @Override
        public double score(Object model, DataProvider dataProvider, Map<String, Object> dataParameters) {
            throw new UnsupportedOperationException("scores come from the training runs");
        }

        @Override
        public double score(Object model, Class<? extends DataSource> dataSource, Properties dataSourceProperties) {
            throw new UnsupportedOperationException("scores come from the training runs");
        }

        @Override
        public boolean minimize() {
            return false;
        }

        @Override
        public List<Class<?>> getSupportedModelTypes() {
            return List.of(Object.class);
        }

        @Override
        public List<Class<?>> getSupportedDataTypes() {
            return List.of(Object.class);
        }
    }
}
