package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.RgbImage;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The pictures of a run's report: loss curves and bar charts (XChart), prediction overlays with a legend. */
public final class Pictures {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Pictures() {
    }

    /** One line per series over the x values (e.g. loss terms over steps). */
    public static void lines(Path file, String title, String xTitle, String yTitle, List<Double> x, Map<String, List<Double>> series) {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setMarkerSize(0);
        series.forEach((name, ys) -> chart.addSeries(name, x, ys).setMarker(SeriesMarkers.NONE));
        save(file, chart);
    }

    /** Grouped bars with error bars: categories on x, one series per group. */
    public static void bars(Path file, String title, String yTitle, List<String> categories, Map<String, List<Double>> means, Map<String, List<Double>> errors) {
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(520).title(title).yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisLabelRotation(20);
        means.forEach((name, ys) -> chart.addSeries(name, categories, ys, errors == null ? null : errors.get(name)));
        save(file, chart);
    }

    static void save(Path file, org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw GkcException.of("cannot write %s: %s", file, e.getMessage());
        }
    }

    /** Kelly's colours of maximum contrast (without white and black), then golden-ratio hues. */
    private static final int[] KELLY = {0xF3C300, 0x875692, 0xF38400, 0xA1CAF1, 0xBE0032, 0xC2B280, 0x848482, 0x008856, 0xE68FAC,
            0x0067A5, 0xF99379, 0x604E97, 0xF6A600, 0xB3446C, 0xDCD300, 0x882D17, 0x8DB600, 0x654522, 0xE25822, 0x2B3D26};

    /** A distinct colour per class index. */
    public static Color colour(int cls) {
        if (cls >= 0 && cls < KELLY.length) {
            return new Color(KELLY[cls]);
        }
        float h = (cls * 0.618034f) % 1f;
        return Color.getHSBColor(h, 0.55f + 0.45f * ((cls / 2) % 2), 0.95f - 0.35f * (cls % 2));
    }

    /**
     * Rows of image | ground truth | prediction (label maps coloured per class, upscaled), with a legend of the
     * classes that appear.
     */
    public static void overlays(Path file, List<RgbImage> images, List<int[]> truth, List<int[]> predictions, List<String> classNames,
                                java.util.Set<Integer> novel, int ignore) {
        overlayColumns(file, images, List.of(truth, predictions), List.of("image", "ground truth", "prediction"), classNames, novel, ignore);
    }

    /** Rows of the image and one coloured label map per column; {@code titles} names the image column first. */
    public static void overlayColumns(Path file, List<RgbImage> images, List<List<int[]>> columns, List<String> titles, List<String> classNames,
                                java.util.Set<Integer> novel, int ignore) {
        int n = images.size(), w = images.get(0).width(), h = images.get(0).height(), scale = Math.max(1, 160 / Math.max(w, h));
        int cols = 1 + columns.size();
        TreeSet<Integer> present = new TreeSet<>();
        for (List<int[]> col : columns) {
            for (int[] map : col) {
                for (int v : map) if (v != ignore) present.add(v);
            }
        }
        int cell = w * scale, rowH = h * scale, legendW = 230, pad = 6, header = 22;
        int legendH = present.size() * 16 + 10;
        BufferedImage out = new BufferedImage(cols * (cell + pad) + legendW + pad, Math.max(header + n * (rowH + pad), header + legendH), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        for (int c = 0; c < cols; c++) {
            g.drawString(titles.get(c), c * (cell + pad) + 4, 15);
        }
        for (int i = 0; i < n; i++) {
            int y0 = header + i * (rowH + pad);
            g.drawImage(scaled(images.get(i).toBufferedImage(), scale), 0, y0, null);
            for (int c = 0; c < columns.size(); c++) {
                g.drawImage(scaled(labels(columns.get(c).get(i), w, h, ignore), scale), (c + 1) * (cell + pad), y0, null);
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int lx = cols * (cell + pad) + pad, ly = header;
        for (int cls : present) {
            g.setColor(colour(cls));
            g.fillRect(lx, ly, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(classNames.get(cls) + (novel.contains(cls) ? "  (unseen)" : ""), lx + 18, ly + 11);
            ly += 16;
        }
        g.dispose();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ImageIO.write(out, "png", file.toFile());
        } catch (IOException e) {
            throw GkcException.of("cannot write %s: %s", file, e.getMessage());
        }
    }

    static BufferedImage labels(int[] map, int w, int h, int ignore) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = map[y * w + x];
                img.setRGB(x, y, v == ignore ? 0x202020 : colour(v).getRGB());
            }
        }
        return img;
    }

    static BufferedImage scaled(BufferedImage src, int scale) {
        BufferedImage out = new BufferedImage(src.getWidth() * scale, src.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(src, 0, 0, out.getWidth(), out.getHeight(), null);
        g.dispose();
        return out;
    }

    /** Series of a metrics.jsonl-style list of maps: x from {@code xKey}, one series per other numeric key. */
    public static Map<String, List<Double>> seriesOf(List<Map<String, Object>> rows, List<String> keys) {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (String k : keys) {
            List<Double> v = new ArrayList<>();
            for (Map<String, Object> r : rows) {
                Object o = r.get(k);
                v.add(o instanceof Number num ? num.doubleValue() : Double.NaN);
            }
            out.put(k, v);
        }
        return out;
    }
}
