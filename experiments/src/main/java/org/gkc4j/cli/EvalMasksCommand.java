package org.gkc4j.cli;

import org.gkc4j.eval.LabelMapFolders;
import org.gkc4j.eval.SemSegEvaluator;
import org.gkc4j.eval.SemSegMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "eval-masks", mixinStandardHelpOptions = true,
        description = "Semantic-segmentation metrics of predicted label-map PNGs against ground-truth PNGs paired by file name "
                + "(detectron2's SemSegEvaluator rule); writes mIoU, pAcc, mIoU_base, mIoU_novel, hIoU and per_class_iou, in percent.")
public final class EvalMasksCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Mixin
    CommonOptions common;
    @Option(names = "--pred", required = true, description = "Folder of predicted label maps (PNG, 8 or 16 bit, single channel).")
    Path pred;
    @Option(names = "--gt", required = true, description = "Folder of ground-truth label maps with the same file names.")
    Path gt;
    @Mixin
    ClassScoringOptions classes;
    @Option(names = "--ignore-label", defaultValue = "255", description = "Ground-truth value excluded from scoring (default ${DEFAULT-VALUE}); "
            + "a prediction of it counts as a miss.")
    int ignoreLabel;

    @Override
    public Integer call() {
        SemSegEvaluator ev = classes.evaluator(ignoreLabel);
        List<String> names = LabelMapFolders.pairs(pred, gt);
        LabelMapFolders.evaluate(pred, gt, names, ev);
        SemSegMetrics m = ev.metrics(classes.novel);
        m.write(classes.out);
        spec.commandLine().getOut().printf("%s over %d images -> %s%n", summary(m), m.images(), classes.out);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** {@code mIoU .. pAcc ..} and, with novel classes, the base/novel means and hIoU, two decimals. */
    static String summary(SemSegMetrics m) {
        return String.format("mIoU %s  pAcc %s%s", pct(m.mIoU()), pct(m.pAcc()), m.novelClasses().length == 0 ? ""
                : "  mIoU_base " + pct(m.mIoUBase()) + "  mIoU_novel " + pct(m.mIoUNovel()) + "  hIoU " + pct(m.hIoU()));
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.2f", v);
    }
}
