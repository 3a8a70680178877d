package org.gkc4j.cli;

import org.gkc4j.experiments.ProgressBar;
import org.gkc4j.eval.SemSegEvaluator;
import org.gkc4j.eval.VideoConsistency;
import org.gkc4j.eval.VideoLabelMapFolders;
import org.gkc4j.eval.VideoSegMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "eval-video-masks", mixinStandardHelpOptions = true,
        description = "Video semantic-segmentation metrics of predicted label maps DIR/<video>/<frame>.png against ground truth paired by "
                + "video and frame name: mIoU, pAcc, mIoU_base, mIoU_novel, hIoU over all frames (as eval-masks) and VSPW's video "
                + "consistency mVC8, mVC16, in percent.")
public final class EvalVideoMasksCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Mixin
    CommonOptions common;
    @Option(names = "--pred", required = true, description = "Folder of predicted videos: <video>/<frame>.png (8 or 16 bit, single channel).")
    Path pred;
    @Option(names = "--gt", required = true, description = "Folder of ground-truth videos with the same video and frame names.")
    Path gt;
    @Mixin
    ClassScoringOptions classes;
    @Option(names = "--ignore-label", defaultValue = "255", description = "Ground-truth value excluded from the frame metrics (default ${DEFAULT-VALUE}); "
            + "a prediction of it counts as a miss. Video consistency compares raw labels, void included (VSPW).")
    int ignoreLabel;

    @Override
    public Integer call() {
        SemSegEvaluator frames = classes.evaluator(ignoreLabel);
        Map<String, List<String>> videos = VideoLabelMapFolders.pairs(pred, gt);
        VideoConsistency consistency = new VideoConsistency(VideoConsistency.VSPW_WINDOWS);
        try (ProgressBar bar = new ProgressBar("eval-video-masks", videos.size(), "videos")) {
            VideoLabelMapFolders.evaluate(pred, gt, videos, frames, consistency, (done, total, video) -> bar.step(done, video));
        }
        VideoSegMetrics m = new VideoSegMetrics(frames.metrics(classes.novel), consistency.scores(), consistency.videos());
        m.write(classes.out);
        String vc = m.consistency().stream().map(s -> "mVC" + s.windowLength() + " " + EvalMasksCommand.pct(s.mVC()))
                .collect(Collectors.joining("  "));
        spec.commandLine().getOut().printf("%s  %s over %d frames of %d videos -> %s%n", EvalMasksCommand.summary(m.frames()), vc,
                m.frames().images(), m.videos(), classes.out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
