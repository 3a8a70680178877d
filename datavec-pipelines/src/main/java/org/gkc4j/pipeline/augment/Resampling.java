package org.gkc4j.pipeline.augment;

import org.gkc4j.pipeline.RgbImage;

/** Image resizing with PyTorch/PIL-style pixel-centre alignment (align_corners=False). */
public final class Resampling {
    private Resampling() {
    }

    /** Bilinear resize (no antialias), source coordinate (i + 0.5) * in / out - 0.5 clamped to the image. */
    public static RgbImage bilinear(RgbImage src, int outW, int outH) {
        int w = src.width(), h = src.height();
        if (w == outW && h == outH) {
            return src;
        }
        byte[] d = new byte[outW * outH * 3];
        byte[] s = src.data();
        int[] x0 = new int[outW], x1 = new int[outW];
        double[] lx = new double[outW];
        for (int x = 0; x < outW; x++) {
            double sx = Math.max(0, (x + 0.5) * w / outW - 0.5);
            x0[x] = Math.min((int) sx, w - 1);
            x1[x] = Math.min(x0[x] + 1, w - 1);
            lx[x] = sx - x0[x];
        }
        for (int y = 0; y < outH; y++) {
            double sy = Math.max(0, (y + 0.5) * h / outH - 0.5);
            int y0 = Math.min((int) sy, h - 1), y1 = Math.min(y0 + 1, h - 1);
            double ly = sy - y0;
            for (int x = 0; x < outW; x++) {
                for (int c = 0; c < 3; c++) {
                    double a = (s[(y0 * w + x0[x]) * 3 + c] & 0xff) * (1 - lx[x]) + (s[(y0 * w + x1[x]) * 3 + c] & 0xff) * lx[x];
                    double b = (s[(y1 * w + x0[x]) * 3 + c] & 0xff) * (1 - lx[x]) + (s[(y1 * w + x1[x]) * 3 + c] & 0xff) * lx[x];
                    d[(y * outW + x) * 3 + c] = (byte) Math.round(a * (1 - ly) + b * ly);
                }
            }
        }
        return new RgbImage(outW, outH, d);
    }

    /** Nearest-neighbour resize of an int map: output i reads input floor((i + 0.5) * in / out). */
    public static int[] nearest(int[] map, int w, int h, int outW, int outH) {
        if (w == outW && h == outH) {
            return map.clone();
        }
        int[] out = new int[outW * outH];
        for (int y = 0; y < outH; y++) {
            int sy = Math.min(h - 1, (int) Math.floor((y + 0.5) * h / outH));
            for (int x = 0; x < outW; x++) {
                int sx = Math.min(w - 1, (int) Math.floor((x + 0.5) * w / outW));
                out[y * outW + x] = map[sy * w + sx];
            }
        }
        return out;
    }

    /** Resize so the shorter edge is {@code shortest} and the longer at most {@code longest} (detectron2's rule). */
    public static int[] shortestEdgeSize(int w, int h, int shortest, int longest) {
        double scale = (double) shortest / Math.min(w, h);
        double nh = h * scale, nw = w * scale;
        if (Math.max(nh, nw) > longest) {
            double f = longest / Math.max(nh, nw);
            nh *= f;
            nw *= f;
        }
        return new int[]{(int) Math.round(nw), (int) Math.round(nh)};
    }
}
