package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.datasets.ClassNames;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * COCO-Stuff 164k: {@code coco/stuffthingmaps/{train2017,val2017}/<id>.png} (COCO-Stuff's
 * {@code stuffthingmaps_trainval2017.zip}: uint8, 0-based COCO ids, 255 unlabelled) to
 * {@code coco/stuffthingmaps_detectron2/{train2017,val2017}/<id>.png}: the 171 ids in use (those of
 * {@code classnames/coco-stuff-171.tsv}, whose {@code dataset_id} is the 1-based COCO id) become 0..170 in id order,
 * every other value 255, and a map with no class in use is not written, as the usual (detectron2/MaskFormer)
 * preparation does.
 *
 * <p>With the zero-shot split it also writes {@code {train2017,val2017}_base} (the 156 seen classes, 0..155 in id
 * order) and {@code {train2017,val2017}_novel} (the 15 unseen, 0..14 in id order), each under the same empty-map rule.
 * The 15 unseen classes are those of SPNet's COCO-Stuff split as ZegFormer and SimBaseline use it: cow, giraffe,
 * suitcase, frisbee, skateboard, carrot, scissors, cardboard, clouds, grass, playingfield, river, road, tree,
 * wall-concrete, i.e. stored (0-based) values {@link #NOVEL}. Source: the {@code novel_clsID} list of SimBaseline's
 * {@code datasets/prepare_coco_stuff_sem_seg.py} (zsseg.baseline, Xu et al., ECCV 2022), which writes the same six
 * folders; the names were checked against the COCO-Stuff class list.
 */
public final class CocoStuffPreparation implements Preparation {
    public static final String IN = "coco/stuffthingmaps", OUT = "coco/stuffthingmaps_detectron2";
    public static final List<String> SPLITS = List.of("train2017", "val2017");
    /** The zero-shot split's 15 unseen classes as stored (0-based COCO) values, in id order. */
    public static final int[] NOVEL = {20, 24, 32, 33, 40, 56, 86, 99, 105, 123, 144, 147, 148, 168, 171};
    static final int IGNORE = 255;

    private final boolean zeroShot;
    private final ValueTable all, base, novel;

    public CocoStuffPreparation(boolean zeroShot) {
        this.zeroShot = zeroShot;
        int[] inUse = storedIds();
        int[] seen = Arrays.stream(inUse).filter(v -> Arrays.binarySearch(NOVEL, v) < 0).toArray();
        all = ValueTable.indexOf(inUse, 256, IGNORE);
        base = ValueTable.indexOf(seen, 256, IGNORE);
        novel = ValueTable.indexOf(NOVEL, 256, IGNORE);
    }

    /** The 171 stored values in use, ascending (1-based COCO id - 1 of every class of the shipped list). */
    public static int[] storedIds() {
        int[] ids = ClassNames.load("coco-stuff-171").datasetIds();
        int[] out = Arrays.stream(ids).map(i -> i - 1).sorted().toArray();
        GkcException.check(out.length == 171 && out[0] >= 0 && out[170] < IGNORE, "class list coco-stuff-171 has unexpected ids");
        return out;
    }

    @Override
    public String key() {
        return "coco-stuff";
    }

    @Override
    public Plan plan(Path root, LoadOptions options, LoadReport report) {
        List<PrepareUnit> units = new ArrayList<>();
        int found = 0;
        for (String split : SPLITS) {
            Path in = root.resolve(IN).resolve(split);
            if (!Files.isDirectory(in)) {
                report.otherWarning("folder " + in + " not found; split " + split + " not prepared");
                continue;
            }
            found++;
            Path out = root.resolve(OUT);
            for (Path file : InputFiles.list(in, ".png")) {
                String name = file.getFileName().toString();
                List<Path> targets = new ArrayList<>(List.of(out.resolve(split).resolve(name)));
                if (zeroShot) {
                    targets.add(out.resolve(split + "_base").resolve(name));
                    targets.add(out.resolve(split + "_novel").resolve(name));
                }
                units.add(new PrepareUnit(split + "/" + name, targets, () -> convert(file, targets, options)));
            }
        }
        if (found == 0) {
            throw GkcException.of("no COCO-Stuff maps under %s: expected %s/{train2017,val2017}/<id>.png (unpack stuffthingmaps_trainval2017.zip there)",
                    root.resolve(IN), root.resolve(IN));
        }
        return new Plan(units, 171);
    }

    private List<LabelOutput> convert(Path file, List<Path> targets, LoadOptions options) {
        LabelMap raw = LabelMap.read(file, options.maxImagePixels());
        List<LabelOutput> out = new ArrayList<>(3);
        out.add(LabelOutput.unlessEmpty(targets.get(0), all.apply(raw), LabelOutput.Format.PNG8, IGNORE));
        if (zeroShot) {
            out.add(LabelOutput.unlessEmpty(targets.get(1), base.apply(raw), LabelOutput.Format.PNG8, IGNORE));
            out.add(LabelOutput.unlessEmpty(targets.get(2), novel.apply(raw), LabelOutput.Format.PNG8, IGNORE));
        }
        return out;
    }
}
