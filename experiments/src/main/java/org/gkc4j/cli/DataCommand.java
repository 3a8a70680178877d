package org.gkc4j.cli;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.PanopticToSemantic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "data", mixinStandardHelpOptions = true, description = "Dataset preparation.",
        subcommands = {DataCommand.CocoPanopticToSemantic.class})
public final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "coco-panoptic-to-semantic", mixinStandardHelpOptions = true,
            description = "COCO panoptic annotations to semantic label maps: one uint8 PNG per annotation holding the contiguous class "
                    + "index (JSON category order) of every segment, crowd ones included, and 255 elsewhere (detectron2's rule).")
    static final class CocoPanopticToSemantic implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--json", required = true, description = "Panoptic JSON (e.g. panoptic_val2017.json).")
        Path json;
        @Option(names = "--panoptic-dir", required = true, description = "Folder of the panoptic PNGs.")
        Path panopticDir;
        @Option(names = "--out", required = true, description = "Output folder (e.g. coco/panoptic_semseg_val2017).")
        Path out;
        @Option(names = "--strict", description = "Stop at the first damaged annotation or PNG instead of skipping it with a warning.")
        boolean strict;

        @Override
        public Integer call() {
            LoadOptions options = strict ? LoadOptions.failOnDamage() : LoadOptions.skipDamaged();
            java.io.PrintWriter err = spec.commandLine().getErr();
            LoadReport report = new LoadReport(m -> err.println("gkc: warning: " + m));
            int written = PanopticToSemantic.convert(json, panopticDir, out, options, report);
            LoadReport.Summary s = report.summary();
            if (written == 0) {
                throw GkcException.of("no label map written to %s (%d annotations skipped as damaged)", out, s.samplesSkipped());
            }
            err.printf("gkc: wrote %d label maps to %s (%d annotations skipped as damaged, %d unknown segment ids set to 255)%n",
                    written, out, s.samplesSkipped(), s.segmentsDropped());
            err.flush();
            return 0;
        }
    }
}
