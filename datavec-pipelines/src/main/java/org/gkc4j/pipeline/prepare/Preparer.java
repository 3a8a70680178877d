package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link Preparation}: one unit at a time (one image in memory), skipping units whose outputs all exist, so an
 * interrupted run resumes; every file is written atomically ({@link org.gkc4j.io.AtomicFiles}), so no half-written
 * output is ever mistaken for a finished one. A damaged input is named in the report and skipped, or ends the run
 * with {@link LoadOptions#failOnDamage()}. A failed write is not damage: it ends the run.
 */
public final class Preparer {
    /** Called after every unit: units done of {@code total} and the unit's name. */
    @FunctionalInterface
    public interface Progress {
        void unitDone(long done, long total, String name);

        Progress NONE = (done, total, name) -> { };
    }

    private Preparer() {
    }

    public static PrepareResult run(Preparation preparation, Path root, LoadOptions options, LoadReport report, Progress progress) {
        if (!Files.isDirectory(root)) {
            throw GkcException.of("datasets root not found: %s", root);
        }
        Preparation.Plan plan = preparation.plan(root, options, report);
        List<PrepareUnit> units = plan.units();
        boolean[] present = new boolean[plan.numClasses()];
        List<String> damagedNames = new ArrayList<>();
        long written = 0, done = 0, damaged = 0, empty = 0, checked = 0, ignored = 0, pixels = 0, n = 0;
        for (PrepareUnit unit : units) {
            if (!unit.targets().isEmpty() && unit.targets().stream().allMatch(Files::isRegularFile)) {
                done++;
            } else {
                List<LabelOutput> outputs = null;
                try {
                    outputs = unit.work().run();
                } catch (GkcException e) {
                    if (options.onDamage() == LoadOptions.OnDamage.FAIL) {
                        throw e;
                    }
                    report.sampleSkipped(e.getMessage() + "; skipped");
                    damaged++;
                    if (damagedNames.size() < PrepareResult.NAMES_KEPT) {
                        damagedNames.add(unit.name());
                    }
                }
                if (outputs != null) {
                    report.sampleLoaded();
                    checked += unit.targets().isEmpty() ? 1 : 0;
                    for (int i = 0; i < outputs.size(); i++) {
                        LabelOutput o = outputs.get(i);
                        if (i == 0) {
                            for (int v : o.labels().values()) {
                                if (v == o.ignore()) {
                                    ignored++;
                                } else if (v >= 0 && v < present.length) {
                                    present[v] = true;
                                }
                            }
                            pixels += o.labels().values().length;
                        }
                        if (o.target() == null) {
                            continue;
                        }
                        if (!o.write()) {
                            empty++;
                        } else if (!Files.isRegularFile(o.target())) {
                            o.format().write(o.labels(), o.target());
                            written++;
                        }
                    }
                }
            }
            progress.unitDone(++n, units.size(), unit.name());
        }
        int classes = 0;
        for (boolean p : present) {
            classes += p ? 1 : 0;
        }
        return new PrepareResult(preparation.key(), units.size(), written, done, damaged, damagedNames, empty, checked, classes,
                present.length, ignored, pixels);
    }
}
