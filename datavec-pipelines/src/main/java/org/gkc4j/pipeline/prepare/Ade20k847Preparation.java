package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.io.ImageFiles;
import org.gkc4j.io.LabelMap;
import org.gkc4j.io.RestrictedUnpickler;
import org.gkc4j.pipeline.datasets.ClassNames;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ADE20K-847 (ADE20K-full): from {@code ADE20K_2021_17_01.zip} unpacked in the root, its {@code index_ade20k.pkl}
 * (read by the restricted unpickler with {@link NumpyPickleRules}; only {@code folder} and {@code filename} are used)
 * lists every image; {@code <folder>/<name>.jpg} with its {@code <name>_seg.png} becomes
 * {@code ADE20K_2021_17_01/images_detectron2/{training,validation}/<name>.jpg} and
 * {@code annotations_detectron2/{training,validation}/<name>.tif} (16-bit), as MaskFormer's ADE20K-full preparation
 * does: the split is {@code validation} when the name's second {@code _} field is {@code val}; the object class of a
 * pixel is {@code (R / 10) * 256 + G} of the seg PNG; the 847 classes (their ADE ids are the {@code dataset_id}s of
 * {@code classnames/ade20k-847.tsv}) become 0..846, everything else 65535; an image whose shorter side exceeds 512 is
 * scaled so that side is 512 (the longer rounded half-to-even), the image bilinearly, the labels by nearest neighbour
 * ({@code src = floor(dst * srcSize / dstSize)}). The resized JPEG is not bit-identical to OpenCV's; the labels are.
 */
public final class Ade20k847Preparation implements Preparation {
    public static final String BASE = "ADE20K_2021_17_01", INDEX = BASE + "/index_ade20k.pkl";
    public static final int MAX_SIDE = 512;
    /** Far above the release's index (a few hundred MB at most). */
    public static final long MAX_INDEX_BYTES = 1L << 30;
    static final int IGNORE = 65535;

    private final ValueTable table;

    public Ade20k847Preparation() {
        int[] ids = ClassNames.load("ade20k-847").datasetIds();
        int max = Arrays.stream(ids).max().orElse(0);
        table = ValueTable.indexOf(ids, max + 1, IGNORE);
    }

    /** Output size for an input of {@code w x h}: {@code {w, h}} unchanged unless the shorter side exceeds 512. */
    static int[] resized(int w, int h) {
        if (w >= h && h > MAX_SIDE) {
            return new int[]{(int) Math.rint(w / (double) h * MAX_SIDE), MAX_SIDE};
        }
        if (h >= w && w > MAX_SIDE) {
            return new int[]{MAX_SIDE, (int) Math.rint(h / (double) w * MAX_SIDE)};
        }
        return new int[]{w, h};
    }

    @Override
    public String key() {
        return "ade20k-847";
    }

    @Override
    public Plan plan(Path root, LoadOptions options, LoadReport report) {
        Path index = root.resolve(INDEX);
        List<String> folders, names;
        try {
            if (!Files.isRegularFile(index)) {
                throw GkcException.of("ADE20K index not found: %s (unpack ADE20K_2021_17_01.zip in %s)", index, root);
            }
            if (Files.size(index) > MAX_INDEX_BYTES) {
                throw GkcException.of("%s is %d bytes; the limit is %d", index, Files.size(index), MAX_INDEX_BYTES);
            }
            Object loaded = RestrictedUnpickler.loadLarge(index.toString(), Files.readAllBytes(index), new NumpyPickleRules());
            if (!(loaded instanceof Map<?, ?> map)) {
                throw GkcException.of("%s does not hold a dict", index);
            }
            folders = strings(map.get("folder"), index, "folder");
            names = strings(map.get("filename"), index, "filename");
        } catch (IOException e) {
            throw GkcException.of("cannot read %s: %s", index, e.getMessage());
        }
        if (folders.size() != names.size()) {
            throw GkcException.of("%s lists %d folders but %d file names", index, folders.size(), names.size());
        }
        List<PrepareUnit> units = new ArrayList<>(names.size());
        Path out = root.resolve(BASE);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i), folder = folders.get(i);
            if (!name.matches("[A-Za-z0-9_.-]+\\.jpg") || !folder.matches("[A-Za-z0-9_./ -]+") || folder.contains("..") || folder.startsWith("/")) {
                throw GkcException.of("%s entry %d names %s/%s, which is not a relative image path", index, i, folder, name);
            }
            String[] parts = name.split("_");
            String split = parts.length > 1 && parts[1].equals("val") ? "validation" : "training";
            String stem = name.substring(0, name.length() - 4);
            Path image = root.resolve(folder).resolve(name), seg = root.resolve(folder).resolve(stem + "_seg.png");
            Path labelOut = out.resolve("annotations_detectron2").resolve(split).resolve(stem + ".tif");
            Path imageOut = out.resolve("images_detectron2").resolve(split).resolve(name);
            units.add(new PrepareUnit(folder + "/" + name, List.of(labelOut, imageOut), () -> convert(image, seg, labelOut, imageOut, options)));
        }
        return new Plan(units, 847);
    }

    private static List<String> strings(Object value, Path index, String key) {
        Object v = value instanceof NumpyPickleRules.NdArray a ? a.data : value;
        if (!(v instanceof List<?> list) || !list.stream().allMatch(x -> x instanceof String)) {
            throw GkcException.of("%s: '%s' is not a list of strings", index, key);
        }
        return list.stream().map(String.class::cast).toList();
    }

    private List<LabelOutput> convert(Path imageFile, Path segFile, Path labelOut, Path imageOut, LoadOptions options) {
        BufferedImage img = ImageFiles.read(imageFile, options.maxImagePixels());
        BufferedImage seg = ImageFiles.read(segFile, options.maxImagePixels());
        int w = img.getWidth(), h = img.getHeight();
        if (seg.getWidth() != w || seg.getHeight() != h) {
            throw GkcException.of("%s is %dx%d but its image is %dx%d", segFile, seg.getWidth(), seg.getHeight(), w, h);
        }
        Raster r = seg.getRaster();
        if (r.getNumBands() < 3) {
            throw GkcException.of("%s has %d channels; an ADE20K seg PNG is RGB", segFile, r.getNumBands());
        }
        int[] red = r.getSamples(0, 0, w, h, 0, new int[w * h]), green = r.getSamples(0, 0, w, h, 1, new int[w * h]);
        int[] size = resized(w, h);
        int nw = size[0], nh = size[1];
        int[] labels = new int[nw * nh];
        for (int y = 0; y < nh; y++) {
            int sy = Math.min(h - 1, (int) Math.floor(y * (double) h / nh));
            for (int x = 0; x < nw; x++) {
                int sx = Math.min(w - 1, (int) Math.floor(x * (double) w / nw));
                int p = sy * w + sx;
                labels[y * nw + x] = table.map(red[p] / 10 * 256 + green[p]);
            }
        }
        BufferedImage scaled = img;
        if (nw != w || nh != h || img.getType() != BufferedImage.TYPE_INT_RGB) {
            scaled = new BufferedImage(nw, nh, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = scaled.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, nw, nh, null);
            g.dispose();
        }
        int[] rgb = scaled.getRGB(0, 0, nw, nh, null, 0, nw);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] &= 0xffffff;
        }
        return List.of(LabelOutput.written(labelOut, new LabelMap(nw, nh, labels), LabelOutput.Format.TIFF16, IGNORE),
                new LabelOutput(imageOut, new LabelMap(nw, nh, rgb), LabelOutput.Format.RGB_JPEG, -1, true));
    }
}
