package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training path for datasets on disk, checked against the synthetic path it must agree with: the synthetic
 * benchmark exported as a COCO panoptic root and trained through the COCO reader gives the synthetic path's losses
 * step for step, then is evaluated on the root's validation split.
 */
class RealDataPathTest {
    @TempDir
    Path dir;

    private RunConfig config(List<String> extra) throws Exception {
        List<String> o = new ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), 2));
        o.addAll(List.of("evaluation.seenPenalties=[]", "evaluation.hubnessWeights=[]", "evaluation.images=4", "model.decoder.maskMomentChannels=4"));
        o.addAll(extra);
        return Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), o);
    }

    @Test
    void cocoPanopticRootOfTheSyntheticWorldTrainsLikeTheSyntheticPath() throws Exception {
        RunConfig direct = config(List.of());
        Path root = dir.resolve("root");
        SyntheticExport.write(SyntheticBenchmark.of(direct.data()), direct.data(), 4, root);
        RunConfig real = config(List.of("data.dataset=coco-panoptic", "data.root=" + root, "diversification.synonyms=" + SyntheticExport.synonymsOf(root)));

        TrainingRun.run(direct, dir.resolve("direct"), false);
        TrainingRun.Result r = TrainingRun.run(real, dir.resolve("real"), false);
        List<Map<String, Object>> a = TrainingRun.readLog(dir.resolve("direct").resolve(TrainingRun.METRICS_LOG));
        List<Map<String, Object>> b = TrainingRun.readLog(r.out().resolve(TrainingRun.METRICS_LOG));
        assertEquals(2, b.size());
        for (int s = 0; s < a.size(); s++) {
            for (String k : a.get(s).keySet()) {
                if (k.startsWith("loss")) {
                    assertEquals(((Number) a.get(s).get(k)).doubleValue(), ((Number) b.get(s).get(k)).doubleValue(), 0.0, "step " + s + " " + k);
                }
            }
        }
        // validation split: every world class named, the five unseen ones reported apart
        var m = Configs.JSON.readTree(r.out().resolve(TrainingRun.METRICS).toFile());
        assertTrue(m.has("mIoU_novel") && !m.get("mIoU_novel").isNull(), m.toString());
        for (String f : List.of("config.yaml", "report.md", "predictions.png", "per_class_iou.csv", "confusion.csv", TrainingRun.WEIGHTS)) {
            assertTrue(Files.exists(r.out().resolve(f)), f);
        }

        StringWriter err = new StringWriter();
        int code = TinyRuns.run(err, "eval", "--checkpoint", r.out().toString(), "--dataset", "coco-panoptic", "--root", root.toString(),
                "--limit", "3", "--out", dir.resolve("eval").toString());
        assertEquals(0, code, err.toString());
        assertTrue(Files.exists(dir.resolve("eval/metrics.json")));
    }

    /** A semantic dataset (ADE20K-150's layout, synthetic scenes as its images) trains and is scored through the same path. */
    @Test
    void aSemanticDatasetTrainsThroughTheSamePath() throws Exception {
        Path root = dir.resolve("ade");
        var layout = (org.gkc4j.pipeline.datasets.SemanticLayout.PairedFolders) org.gkc4j.pipeline.datasets.SemanticDataset.ADE20K_150.layout();
        SyntheticBenchmark bench = new SyntheticBenchmark(new org.gkc4j.pipeline.synthetic.SyntheticWorld(), 64);
        for (int i = 0; i < 6; i++) {
            boolean train = i < 4;
            var scene = bench.evalScene(i);
            int[] labels = SyntheticBenchmark.labelMap(scene);
            for (int p = 0; p < labels.length; p++) {
                labels[p] = labels[p] == SyntheticBenchmark.IGNORE ? 0 : labels[p] + 1;   // ADE stores class + 1, 0 unlabelled
            }
            String id = "s" + i;
            Path label = root.resolve(train ? layout.labelsTrain() : layout.labelsVal()).resolve(id + layout.labelExt());
            Files.createDirectories(label.getParent());
            new org.gkc4j.io.LabelMap(64, 64, labels).writePng8(label);
            Path image = root.resolve(train ? layout.imagesTrain() : layout.imagesVal()).resolve(id + layout.imageExt());
            Files.createDirectories(image.getParent());
            javax.imageio.ImageIO.write(scene.image().toBufferedImage(), "png", image.toFile());
        }
        // the paper's trunk and text width in the config: the network follows the CLIP weights instead
        RunConfig cfg = config(List.of("data.dataset=ade20k-150", "data.root=" + root, "train.iterations=1", "diversification.enabled=false",
                "data.trainImages=4", "model.backbone.layers=[3, 4, 6, 3]", "model.backbone.width=64", "model.head.embedDim=1024"));
        TrainingRun.Result r = TrainingRun.run(cfg, dir.resolve("ade-run"), false);
        assertEquals(1, r.steps());
        RunConfig saved = TrainedModel.load(r.out()).config();
        assertEquals(List.of(1, 1, 1, 1), saved.model().backbone().layers());
        assertEquals(16, saved.model().backbone().width());
        assertEquals(32, saved.model().head().embedDim());
        var m = Configs.JSON.readTree(r.out().resolve(TrainingRun.METRICS).toFile());
        assertTrue(m.has("mIoU") && m.get("mIoU_novel").isNull(), "ADE20K-150 names are all training names: " + m);
        assertEquals(150, Files.readAllLines(r.out().resolve("per_class_iou.csv")).size() - 1);
    }

    /** Real COCO images and panoptic annotations (the shared sample, two images of different sizes) train and are scored. */
    @Test
    void theRealCocoSampleTrainsAndIsScored() throws Exception {
        Path sample = org.gkc4j.testing.Shared.require("data/coco-panoptic-sample");
        Path coco = dir.resolve("coco-root").resolve("coco");
        for (String split : List.of("train2017", "val2017")) {
            for (String sub : List.of("input_images", "panoptic_examples")) {
                Path to = coco.resolve(sub.equals("input_images") ? split : "panoptic_" + split);
                Files.createDirectories(to);
                try (var files = Files.list(sample.resolve(sub))) {
                    for (Path f : files.toList()) {
                        Files.copy(f, to.resolve(f.getFileName()));
                    }
                }
            }
            Files.createDirectories(coco.resolve("annotations"));
            Files.copy(sample.resolve("panoptic_examples.json"), coco.resolve("annotations").resolve("panoptic_" + split + ".json"));
        }
        RunConfig cfg = config(List.of("data.dataset=coco-panoptic", "data.root=" + coco.getParent(), "train.iterations=1", "evaluation.visualise=2"));
        TrainingRun.Result r = TrainingRun.run(cfg, dir.resolve("coco-run"), false);
        assertEquals(1, r.steps());
        assertEquals(133, Files.readAllLines(r.out().resolve("per_class_iou.csv")).size() - 1);
        assertTrue(Files.size(r.out().resolve("predictions.png")) > 0);
        var m = Configs.JSON.readTree(r.out().resolve(TrainingRun.METRICS).toFile());
        assertEquals(2, m.get("images").asInt(), m.toString());
    }

    @Test
    void aDatasetWithoutItsRootIsOneClearError() throws Exception {
        GkcException e = assertThrows(GkcException.class, () -> TrainingRun.run(config(List.of("data.dataset=coco-panoptic")), dir.resolve("a"), false));
        assertTrue(e.getMessage().contains("data.root"), e.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        e = assertThrows(GkcException.class, () -> TrainingRun.run(
                config(List.of("data.dataset=coco-panoptic", "data.root=" + dir.resolve("empty"))), dir.resolve("b"), false));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        e = assertThrows(GkcException.class, () -> TrainingRun.run(
                config(List.of("data.dataset=ade20k-151", "data.root=" + dir.resolve("empty"))), dir.resolve("c"), false));
        assertTrue(e.getMessage().contains("unknown dataset"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("c")), "nothing is written before the data is found");
    }
}
