package org.gkc4j.cli;

import org.gkc4j.experiments.ProgressBar;
import org.gkc4j.GkcException;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.PanopticToSemantic;
import org.gkc4j.pipeline.datasets.VipsegSplit;
import org.gkc4j.pipeline.datasets.VipsegToSemantic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "data", mixinStandardHelpOptions = true, description = "Dataset preparation.",
        subcommands = {DataCommand.PrepareCommand.class, DataCommand.CheckCommand.class, DataCommand.CocoPanopticToSemantic.class, DataCommand.VipsegToSemanticCommand.class, DataCommand.SyntheticPreview.class,
                DataCommand.SyntheticExportCommand.class})
public final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = {"A benchmark's prepared layout (datavec-pipelines/DATASETS.md) from the files its owners publish, unpacked under the "
                    + "datasets root. One image at a time, each output written atomically; outputs already written are kept, so an interrupted "
                    + "run resumes. Damaged inputs are named, counted and skipped (--strict: the first stops the run).",
                    "coco-stuff: coco/stuffthingmaps/* to coco/stuffthingmaps_detectron2/* (--zero-shot: also the *_base and *_novel maps "
                            + "of the 15-unseen-class split); cityscapes-19: gtFine *_labelIds.png to *_labelTrainIds.png; pascal-context-59 and "
                            + "pascal-context-459: VOC2010/trainval/*.mat to annotations_detectron2/pc59_val/*.png and pc459_val/*.tif; "
                            + "coco-panoptic: panoptic PNGs to coco/panoptic_semseg_* and a parse check of the captions; ade20k-847: "
                            + "ADE20K_2021_17_01 (index_ade20k.pkl, seg PNGs) to images_detectron2 and annotations_detectron2; ade20k-150 and "
                            + "pascal-voc-20: read as released, the layout is validated."})
    static final class PrepareCommand implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        CommonOptions common;
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "DATASET",
                description = "coco-stuff, cityscapes-19, pascal-context-59, pascal-context-459, coco-panoptic, ade20k-847, ade20k-150 or pascal-voc-20.")
        String dataset;
        @Option(names = "--root", required = true, description = "Datasets root (detectron2's DETECTRON2_DATASETS).")
        Path root;
        @Option(names = "--zero-shot", description = "coco-stuff: also write {train2017,val2017}_base (156 seen classes) and _novel (15 unseen).")
        boolean zeroShot;
        @Option(names = "--strict", description = "Stop at the first damaged input instead of skipping it with a warning.")
        boolean strict;

        @Override
        public Integer call() {
            org.gkc4j.pipeline.prepare.Preparation preparation = org.gkc4j.pipeline.prepare.Preparations.of(dataset, zeroShot);
            LoadOptions options = strict ? LoadOptions.failOnDamage() : LoadOptions.skipDamaged();
            java.io.PrintWriter err = spec.commandLine().getErr();
            LoadReport report = new LoadReport(m -> err.println("gkc: warning: " + m));
            org.gkc4j.pipeline.prepare.PrepareResult r;
            try (ProgressBar.Deferred bar = new ProgressBar.Deferred("prepare " + dataset, "images")) {
                r = org.gkc4j.pipeline.prepare.Preparer.run(preparation, root, options, report, bar::step);
            }
            err.println("gkc: " + r.line());
            err.flush();
            if (r.units() > 0 && r.damaged() == r.units()) {
                throw GkcException.of("every input of %s was damaged; nothing prepared", dataset);
            }
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Checks a prepared datasets root against the benchmark's official validation split: the number of label files "
                    + "(COCO 5,000, ADE20K 2,000, PASCAL-Context 5,105, VOC 1,449, Cityscapes 500), each one's image, and its values. "
                    + "One line per problem on standard output; exit status 1 if there is any.")
    static final class CheckCommand implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        CommonOptions common;
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "DATASET",
                description = "coco-stuff, coco-panoptic, ade20k-150, ade20k-847, pascal-context-59, pascal-context-459, pascal-voc-20 or cityscapes-19.")
        String dataset;
        @Option(names = "--root", required = true, description = "Datasets root (detectron2's DETECTRON2_DATASETS).")
        Path root;

        @Override
        public Integer call() {
            org.gkc4j.pipeline.prepare.DatasetCheck.expectation(dataset);
            java.io.PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            long problems;
            try (ProgressBar.Deferred bar = new ProgressBar.Deferred("check " + dataset, "images")) {
                problems = org.gkc4j.pipeline.prepare.DatasetCheck.run(dataset, root, bar::step, line -> out.println(line));
            }
            out.flush();
            err.println(problems == 0 ? "gkc: " + dataset + " under " + root + ": no problems found" : "gkc: " + dataset + ": " + problems + " problems");
            err.flush();
            return problems == 0 ? 0 : 1;
        }
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

    @Command(name = "vipseg-to-semantic", mixinStandardHelpOptions = true,
            description = "VIPSeg panoptic videos to semantic label maps by GKC's rule: OUT/<video_id>/<file_name> uint8 PNGs holding a "
                    + "segment's index in the split's category list (VIPSeg order: all 124, base 112, novel 12) and 255 elsewhere. "
                    + "Resumable: label maps already written are kept.")
    static final class VipsegToSemanticCommand implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--json", required = true, description = "VIPSeg's panoptic video JSON (e.g. VIPSeg_720P/panoptic_gt_VIPSeg_val.json).")
        Path json;
        @Option(names = "--panoptic-dir", required = true, description = "Folder of the RGB panoptic masks, <video>/<frame>.png (VIPSeg_720P/panomasksRGB).")
        Path panopticDir;
        @Option(names = "--split", defaultValue = "all", description = "all, base (GKC's 112 seen categories) or novel (its 12 unseen) (default ${DEFAULT-VALUE}).")
        String split;
        @Option(names = "--out", required = true, description = "Output folder.")
        Path out;
        @Option(names = "--strict", description = "Stop at the first damaged frame or unlisted segment id instead of skipping it with a warning.")
        boolean strict;

        @Override
        public Integer call() {
            VipsegSplit which = VipsegSplit.parse(split);
            LoadOptions options = strict ? LoadOptions.failOnDamage() : LoadOptions.skipDamaged();
            java.io.PrintWriter err = spec.commandLine().getErr();
            LoadReport report = new LoadReport(m -> err.println("gkc: warning: " + m));
            VipsegToSemantic.Result r;
            try (ProgressBar.Deferred bar = new ProgressBar.Deferred("vipseg-to-semantic", "frames")) {
                r = VipsegToSemantic.convert(json, panopticDir, which, out, options, report, bar::step);
            }
            LoadReport.Summary s = report.summary();
            if (r.written() + r.alreadyPresent() == 0) {
                throw GkcException.of("no label map written to %s (%d frames skipped as damaged)", out, s.samplesSkipped());
            }
            err.printf("gkc: wrote %d label maps to %s, %d already there (%d videos, split %s: %d classes; %d frames skipped as damaged, "
                            + "%d unlisted segment ids set to 255)%n", r.written(), out, r.alreadyPresent(), r.videos(), which.name().toLowerCase(java.util.Locale.ROOT),
                    r.classes(), s.samplesSkipped(), s.segmentsDropped());
            err.flush();
            return 0;
        }
    }

    @Command(name = "synthetic-preview", mixinStandardHelpOptions = true,
            description = "Pictures of synthetic scenes with their label maps and captions (PNG).")
    static final class SyntheticPreview implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--out", required = true, description = "Output PNG.")
        java.nio.file.Path out;
        @Option(names = "--count", defaultValue = "6", description = "Scenes (default ${DEFAULT-VALUE}).")
        int count;
        @Option(names = "--size", defaultValue = "64", description = "Scene size (default ${DEFAULT-VALUE}).")
        int size;
        @Option(names = "--seed", defaultValue = "0", description = "First scene's seed (default ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--world", description = "The synthetic world's layout (default: the built-in default's).")
        String world = org.gkc4j.pipeline.synthetic.SyntheticWorld.DEFAULT;

        @Override
        public Integer call() {
            var bench = new org.gkc4j.experiments.SyntheticBenchmark(
                    org.gkc4j.experiments.RunConfig.Data.world(world, "--world"), size);
            var world = bench.world();
            var gen = new org.gkc4j.pipeline.synthetic.SceneGenerator(world, size);
            java.util.List<org.gkc4j.pipeline.RgbImage> images = new java.util.ArrayList<>();
            java.util.List<int[]> labels = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                var s = gen.scene(seed + i, org.gkc4j.pipeline.synthetic.SceneGenerator.Split.ALL);
                images.add(s.image());
                labels.add(org.gkc4j.experiments.SyntheticBenchmark.labelMap(s));
                System.out.printf("%d: %s%n", i, s.captions().get(0));
            }
            org.gkc4j.experiments.Pictures.overlayColumns(out, images, java.util.List.of(labels), java.util.List.of("scene", "labels"),
                    world.classNames(), new java.util.HashSet<>(world.unseen()), org.gkc4j.experiments.SyntheticBenchmark.IGNORE);
            System.err.println("gkc: wrote " + out);
            return 0;
        }
    }

    @Command(name = "synthetic-export", mixinStandardHelpOptions = true,
            description = {"The synthetic benchmark as a dataset root in a real layout, to run and check the real-data training path on it.",
                    "coco-panoptic: coco/{train2017,val2017} PNG images, coco/panoptic_* PNGs, coco/annotations/{panoptic,captions}_*.json "
                            + "and coco/syn_class_train2017.json (the synonym table). train2017 holds the scenes the synthetic path trains on "
                            + "(seen classes only), val2017 its held-out test scenes with every class."})
    static final class SyntheticExportCommand implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--format", defaultValue = "coco-panoptic", description = "Layout to write: coco-panoptic (default).")
        String format;
        @Option(names = "--out", required = true, description = "Datasets root to write (data.root of the training config).")
        Path out;
        @Option(names = "--world", description = "The synthetic world's layout (default: the built-in default's).")
        String world = org.gkc4j.pipeline.synthetic.SyntheticWorld.DEFAULT;
        @Option(names = "--size", defaultValue = "64", description = "Scene size (default ${DEFAULT-VALUE}).")
        int size;
        @Option(names = "--train-images", defaultValue = "2000", description = "Training scenes (default ${DEFAULT-VALUE}, the demo's).")
        int trainImages;
        @Option(names = "--val-images", defaultValue = "160", description = "Held-out test scenes (default ${DEFAULT-VALUE}, the demo's).")
        int valImages;
        @Option(names = "--seed", defaultValue = "0", description = "data.seed of the training scenes (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            if (!format.equals("coco-panoptic")) {
                throw GkcException.of("--format must be coco-panoptic, not '%s'", format);
            }
            if (trainImages < 1 || valImages < 1 || size < 16) {
                throw GkcException.of("--train-images and --val-images must be at least 1 and --size at least 16");
            }
            org.gkc4j.experiments.RunConfig.Data data = org.gkc4j.experiments.RunConfig.Data.defaults().withWorld(world);
            data = new org.gkc4j.experiments.RunConfig.Data("synthetic", world, "", size, trainImages, data.threads(), data.prefetch(),
                    data.augment(), data.minScale(), data.maxScale(), seed);
            var bench = org.gkc4j.experiments.SyntheticBenchmark.of(data);
            int n = org.gkc4j.experiments.SyntheticExport.write(bench, data, valImages, out);
            System.err.printf("gkc: wrote %d images of the %s world as a COCO panoptic root in %s (synonyms: %s)%n", n, world, out,
                    org.gkc4j.experiments.SyntheticExport.synonymsOf(out));
            return 0;
        }
    }
}
