package org.gkc4j.pipeline.teacher;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SegmentationSample;

/**
 * The distillation teacher's input for one segment (GKC section 4.2): the un-augmented image with everything
 * outside the segment painted grey (128), cropped to the segment's bounding box, resized to a square with bicubic
 * interpolation (aspect ratio not kept). The box includes its last row and column (the authors' PIL crop drops
 * them, which empties one-pixel segments).
 */
public final class TeacherCrops {
    public static final int GREY = 128;

    private TeacherCrops() {
    }

    /** [x0, y0, x1, y1] inclusive bounds of segment {@code index}, or null if it has no pixel. */
    public static int[] box(SegmentationSample s, int index) {
        int w = s.width(), h = s.height();
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        int[] map = s.segmentMap();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (map[y * w + x] == index) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return x1 < 0 ? null : new int[]{x0, y0, x1, y1};
    }

    /** The masked crop of segment {@code index}, resized to size x size. */
    public static RgbImage crop(SegmentationSample s, int index, int size) {
        int[] b = box(s, index);
        if (b == null) {
            throw new IllegalArgumentException("segment " + index + " of " + s.id() + " has no pixel");
        }
        int cw = b[2] - b[0] + 1, ch = b[3] - b[1] + 1, w = s.width();
        RgbImage c = RgbImage.blank(cw, ch);
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int sx = b[0] + x, sy = b[1] + y;
                if (s.segmentMap()[sy * w + sx] == index) {
                    c.set(x, y, s.image().get(sx, sy, 0), s.image().get(sx, sy, 1), s.image().get(sx, sy, 2));
                } else {
                    c.set(x, y, GREY, GREY, GREY);
                }
            }
        }
        return bicubic(c, size, size);
    }

    /** The unmasked bounding-box crop of segment {@code index} (what the authors' synonym scorer looks at). */
    public static RgbImage boxCrop(SegmentationSample s, int index, int size) {
        int[] b = box(s, index);
        if (b == null) {
            throw new IllegalArgumentException("segment " + index + " of " + s.id() + " has no pixel");
        }
        RgbImage c = RgbImage.blank(b[2] - b[0] + 1, b[3] - b[1] + 1);
        for (int y = 0; y < c.height(); y++) {
            for (int x = 0; x < c.width(); x++) {
                c.set(x, y, s.image().get(b[0] + x, b[1] + y, 0), s.image().get(b[0] + x, b[1] + y, 1), s.image().get(b[0] + x, b[1] + y, 2));
            }
        }
        return bicubic(c, size, size);
    }

    /** Bicubic resize (Keys' kernel, a = -0.5, PIL's choice), pixel-centre aligned, edges clamped. */
    public static RgbImage bicubic(RgbImage src, int outW, int outH) {
        int w = src.width(), h = src.height();
        RgbImage out = RgbImage.blank(outW, outH);
        double sx = (double) w / outW, sy = (double) h / outH;
        // upscaling uses the plain kernel; downscaling widens it (antialias), as PIL does
        double fx = Math.max(1, sx), fy = Math.max(1, sy);
        for (int y = 0; y < outH; y++) {
            double cy = (y + 0.5) * sy - 0.5;
            int y0 = (int) Math.floor(cy - 2 * fy) + 1, y1 = (int) Math.floor(cy + 2 * fy);
            for (int x = 0; x < outW; x++) {
                double cx = (x + 0.5) * sx - 0.5;
                int x0 = (int) Math.floor(cx - 2 * fx) + 1, x1 = (int) Math.floor(cx + 2 * fx);
                double[] acc = new double[3];
                double norm = 0;
                for (int yy = y0; yy <= y1; yy++) {
                    double wy = keys((yy - cy) / fy);
                    if (wy == 0) continue;
                    int cyy = Math.max(0, Math.min(h - 1, yy));
                    for (int xx = x0; xx <= x1; xx++) {
                        double wgt = wy * keys((xx - cx) / fx);
                        if (wgt == 0) continue;
                        int cxx = Math.max(0, Math.min(w - 1, xx));
                        for (int c = 0; c < 3; c++) {
                            acc[c] += wgt * src.get(cxx, cyy, c);
                        }
                        norm += wgt;
                    }
                }
                out.set(x, y, clamp(acc[0] / norm), clamp(acc[1] / norm), clamp(acc[2] / norm));
            }
        }
        return out;
    }

    static double keys(double t) {
        double a = -0.5, x = Math.abs(t);
        if (x <= 1) {
            return (a + 2) * x * x * x - (a + 3) * x * x + 1;
        }
        if (x < 2) {
            return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a;
        }
        return 0;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
