package org.gkc4j.experiments;

import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.config.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A whole run on the synthetic world with the shared tiny CLIP: train, stop, resume, evaluate, predict. */
class TrainingRunTest {
    @TempDir
    Path dir;

    private static int run(StringWriter err, String... args) {
        return TinyRuns.run(err, args);
    }

    private List<String> overrides(int iterations) {
        return TinyRuns.overrides(dir.resolve("cache"), iterations);
    }

    private RunConfig config(int iterations) throws Exception {
        Path base = Path.of("../configs/demo.yaml");
        return Configs.load(RunConfig.class, RunConfig.defaults(), base, overrides(iterations));
    }

    @Test
    void trainsResumesEvaluatesAndPredicts() throws Exception {
        Path out = dir.resolve("run");
        TrainingRun.run(config(2), out, false);
        assertEquals(2, TrainingRun.readLog(out.resolve(TrainingRun.METRICS_LOG)).size());
        // a longer run resumed from the checkpoint continues at step 2, not from scratch
        TrainingRun.Result r = TrainingRun.run(config(3), out, true);
        assertEquals(3, r.steps());
        List<java.util.Map<String, Object>> log = TrainingRun.readLog(out.resolve(TrainingRun.METRICS_LOG));
        assertEquals(3, log.size());
        assertEquals(2, ((Number) log.get(2).get("step")).intValue());
        // the reported training time is the run's three steps, not only the resumed session's one
        double logged = log.stream().mapToDouble(row -> ((Number) row.get("seconds")).doubleValue()).sum();
        assertEquals(logged, r.trainSeconds(), 1e-9);
        assertTrue(r.trainSeconds() > ((Number) log.get(2).get("seconds")).doubleValue());
        for (String phase : List.of("forward", "matching", "backward", "update")) {
            assertTrue(((Number) log.get(2).get("seconds_" + phase)).doubleValue() >= 0, phase);
        }
        // the process's memory after every step: resident size and the lean executor's pooled buffers
        assertTrue(((Number) log.get(2).get("rss_mib")).longValue() > 0, "resident memory logged");
        assertTrue(((Number) log.get(2).get("pooled_mib")).longValue() >= 0, "pooled buffers logged");
        if (org.gkc4j.nn.exec.GraphExecution.selected() == org.gkc4j.nn.exec.GraphExecution.Executor.LEAN) {
            assertTrue(((Number) log.get(2).get("planning_passes")).longValue() > 0, "the steps ran on planned graphs");
        }
        // the same three steps without the stop: every step's losses, learning rate and gradient norm, and the final
        // metrics, are those of the stopped and resumed run
        Path straight = dir.resolve("straight");
        TrainingRun.run(config(3), straight, false);
        List<java.util.Map<String, Object>> once = TrainingRun.readLog(straight.resolve(TrainingRun.METRICS_LOG));
        assertEquals(3, once.size());
        for (int i = 0; i < 3; i++) {
            int compared = 0;
            for (var e : once.get(i).entrySet()) {
                String k = e.getKey();
                if (k.equals("step") || k.equals("lr") || k.equals("grad_norm") || k.startsWith("loss")) {
                    double a = ((Number) e.getValue()).doubleValue(), b = ((Number) log.get(i).get(k)).doubleValue();
                    assertEquals(a, b, 1e-5 * Math.max(1, Math.abs(a)), "step " + i + " " + k);
                    compared++;
                }
            }
            assertTrue(compared >= 6 && once.get(i).keySet().equals(log.get(i).keySet()), once.get(i) + " / " + log.get(i));
        }
        for (String f : List.of("metrics.json", "metrics_calibrated.json")) {
            com.fasterxml.jackson.databind.JsonNode a = Configs.JSON.readTree(straight.resolve(f).toFile()), b = Configs.JSON.readTree(out.resolve(f).toFile());
            for (String k : List.of("mIoU_base", "mIoU_novel", "hIoU", "mIoU", "pAcc", "valid_pixels")) {
                assertTrue(a.has(k), f + " " + k);
                assertEquals(a.get(k).asDouble(), b.get(k).asDouble(), 1e-6, f + " " + k);
            }
        }
        for (String f : List.of("config.yaml", "provenance.json", "metrics.json", "metrics_calibrated.json", "report.md", "predictions.png",
                "loss_curves.png", "per_class_iou.csv", "confusion.csv", TrainingRun.TEACHER_REPORT)) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        String metrics = Files.readString(out.resolve("metrics.json"));
        assertTrue(metrics.contains("mIoU_base") && metrics.contains("mIoU_novel") && metrics.contains("hIoU"), metrics);
        // the confusion table holds every scored pixel once, one row per true class, and its diagonal is the pixel accuracy
        List<String> confusion = Files.readAllLines(out.resolve("confusion.csv"));
        int classes = new SyntheticBenchmark(new SyntheticWorld(), 64).world().classes().size();
        assertEquals(classes + 1, confusion.size());
        long total = 0, diagonal = 0;
        for (int g = 0; g < classes; g++) {
            String[] cells = confusion.get(g + 1).split(",");
            assertEquals(classes + 1, cells.length);
            for (int p = 0; p < classes; p++) {
                long v = Long.parseLong(cells[p + 1]);
                total += v;
                diagonal += p == g ? v : 0;
            }
        }
        com.fasterxml.jackson.databind.JsonNode m = Configs.JSON.readTree(metrics);
        assertEquals(m.get("valid_pixels").asLong(), total);
        assertEquals(m.get("pAcc").asDouble(), 100.0 * diagonal / total, 1e-3);

        // the trained model segments a new image with a free vocabulary
        Path img = dir.resolve("scene.png");
        new SyntheticBenchmark(new SyntheticWorld(), 64).evalScene(3).image().write(img);
        StringWriter err = new StringWriter();
        int code = run(err, "predict", "--checkpoint", out.toString(), "--image", img.toString(), "--vocab", "red circle, sky, grass",
                "--out", dir.resolve("pred").toString());
        assertEquals(0, code, err.toString());
        assertTrue(Files.exists(dir.resolve("pred/scene.png")) && Files.exists(dir.resolve("pred/scene_overlay.png")));
        StringWriter err2 = new StringWriter();
        assertEquals(1, run(err2, "predict", "--checkpoint", out.toString(), "--image", img.toString(), "--vocab", " , ",
                "--out", dir.resolve("pred").toString()));
        assertTrue(err2.toString().contains("vocabulary is empty"), err2.toString());
        StringWriter err3 = new StringWriter();
        assertEquals(0, run(err3, "eval", "--checkpoint", out.toString(), "--dataset", "synthetic", "--limit", "8",
                "--out", dir.resolve("eval").toString()), err3.toString());
        assertTrue(Files.readString(dir.resolve("eval/results.md")).contains("synthetic"));
        StringWriter errHub = new StringWriter();
        assertEquals(0, run(errHub, "eval", "--checkpoint", out.toString(), "--dataset", "synthetic", "--limit", "8", "--hubness", "0.5",
                "--out", dir.resolve("eval-hub").toString()), errHub.toString());
        assertTrue(Files.readString(dir.resolve("eval-hub/results.md")).contains("hubness weight 0.50"));
        StringWriter errBad = new StringWriter();
        assertEquals(1, run(errBad, "eval", "--checkpoint", out.toString(), "--dataset", "synthetic", "--limit", "8", "--hubness", "-1",
                "--out", dir.resolve("eval-bad").toString()));
        assertTrue(errBad.toString().contains("hubness weight must be a finite number >= 0"), errBad.toString());
        assertTrue(Files.readString(out.resolve("report.md")).contains("Calibrated stacking"));
        assertTrue(Files.readString(out.resolve("report.md")).contains("## Hubness correction"));

        // the cross-dataset protocol on an ADE20K-150 layout: label 0 is ignored, the others are class + 1
        Path ade = dir.resolve("datasets/ADEChallengeData2016");
        Files.createDirectories(ade.resolve("images/validation"));
        Files.createDirectories(ade.resolve("annotations/validation"));
        long labelled = 0;
        for (int i = 0; i < 2; i++) {
            assertTrue(javax.imageio.ImageIO.write(new SyntheticBenchmark(new SyntheticWorld(), 64).evalScene(10 + i).image().toBufferedImage(), "jpg",
                    ade.resolve("images/validation/ADE_val_" + i + ".jpg").toFile()));
            java.awt.image.BufferedImage lab = new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    int v = y < 16 ? 0 : y < 40 ? 1 + i : 7;   // ignore, wall or building, road
                    lab.getRaster().setSample(x, y, 0, v);
                    labelled += v == 0 ? 0 : 1;
                }
            }
            javax.imageio.ImageIO.write(lab, "png", ade.resolve("annotations/validation/ADE_val_" + i + ".png").toFile());
        }
        StringWriter err4 = new StringWriter();
        assertEquals(0, run(err4, "eval", "--checkpoint", out.toString(), "--dataset", "ade20k-150", "--root", dir.resolve("datasets").toString(),
                "--novel", "6", "--seen-penalty", "1.0", "--out", dir.resolve("eval-ade").toString()), err4.toString());
        String ademetrics = Files.readString(dir.resolve("eval-ade/metrics.json"));
        assertTrue(ademetrics.contains("\"valid_pixels\" : " + labelled), ademetrics);
        assertTrue(ademetrics.contains("\"num_classes\" : 150"), ademetrics);
        List<String> perClass = Files.readAllLines(dir.resolve("eval-ade/per_class_iou.csv"));
        assertEquals(151, perClass.size());
        assertEquals("class,name,split,iou", perClass.get(0));
        assertTrue(perClass.get(7).startsWith("6,") && perClass.get(7).contains(",novel,"), perClass.get(7));
        assertTrue(perClass.get(1).contains(",base,"), perClass.get(1));
        StringWriter err5 = new StringWriter();
        assertEquals(1, run(err5, "eval", "--checkpoint", out.toString(), "--dataset", "ade20k-150", "--root", dir.resolve("datasets").toString(),
                "--seen-penalty", "1.0", "--out", dir.resolve("eval-ade2").toString()));
        assertTrue(err5.toString().contains("--seen-penalty needs --novel"), err5.toString());
    }
}
