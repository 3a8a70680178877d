package org.gkc4j.testing;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-made scenes with known masks for training tests: each class has its own colour; image i holds a background
 * (class 0) and rectangles of the other classes at positions that depend on i.
 */
public final class ToyScenes {
    public static final double[][] COLOURS = {{-1, -1, -1}, {1.5, -0.5, -0.5}, {-0.5, 1.5, -0.5}, {-0.5, -0.5, 1.5}};

    private ToyScenes() {
    }

    /** [H,W] label map of scene i (classes 0..3). */
    public static int[][] labels(int i, int h, int w) {
        int[][] l = new int[h][w];
        int[][] boxes = i % 2 == 0
                ? new int[][]{{1, 0, 0, h / 2, w / 2}, {2, h / 2, w / 2, h, w}, {3, h / 8, w * 5 / 8, h * 3 / 8, w * 7 / 8}}
                : new int[][]{{3, 0, 0, h / 2, w}, {1, h * 5 / 8, w / 8, h * 7 / 8, w / 2}};
        for (int[] b : boxes) {
            for (int y = b[1]; y < b[3]; y++) {
                for (int x = b[2]; x < b[4]; x++) {
                    l[y][x] = b[0];
                }
            }
        }
        return l;
    }

    public static INDArray image(int[][] labels, DataType type) {
        int h = labels.length, w = labels[0].length;
        INDArray img = Nd4j.create(DataType.DOUBLE, 3, h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    img.putScalar(new long[]{c, y, x}, COLOURS[labels[y][x]][c]);
                }
            }
        }
        return img.castTo(type);
    }

    public static ImageTargets targets(int[][] labels, DataType type) {
        int h = labels.length, w = labels[0].length;
        List<Integer> present = new ArrayList<>();
        for (int[] row : labels) for (int v : row) if (!present.contains(v)) present.add(v);
        present.sort(Integer::compare);
        INDArray masks = Nd4j.create(DataType.DOUBLE, present.size(), h, w);
        for (int k = 0; k < present.size(); k++) {
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) if (labels[y][x] == present.get(k)) masks.putScalar(new long[]{k, y, x}, 1);
        }
        return ImageTargets.plain(masks.castTo(type), present.stream().mapToInt(Integer::intValue).toArray());
    }

    public static TrainingBatch batch(int[] sceneIds, int h, int w, DataType type) {
        List<INDArray> images = new ArrayList<>();
        List<ImageTargets> targets = new ArrayList<>();
        for (int i : sceneIds) {
            int[][] l = labels(i, h, w);
            images.add(image(l, type));
            targets.add(targets(l, type));
        }
        return new TrainingBatch(Nd4j.stack(0, images.toArray(new INDArray[0])), targets);
    }
}
