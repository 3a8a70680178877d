import org.gkc4j.clip.ClipImageEncoder;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.io.Npy;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.pipeline.synthetic.SceneGenerator;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.pipeline.teacher.TeacherCrops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import java.nio.file.Path;
import java.util.*;

/**
 * Linear shape probe of a CLIP trunk on the synthetic world (docs/demo-results.md, "A good teacher is not enough"): runs the trunk
 * on 64 px training scenes (optionally upscaled), mask-averages each object's layer1..layer4 features and writes them
 * with the labels (class, shape, colour, touches another object) as .npy for {@code shape_probe_fit.py}.
 * <pre>
 * java -cp "experiments/target/gkc-cli.jar:experiments/target/lib/*" experiments/probes/ShapeProbe.java CLIP_DIR SCALE SCENES OUT_DIR [WORLD]
 * python3 experiments/probes/shape_probe_fit.py OUT_DIR
 * </pre>
 * A throwaway research script, not part of the build.
 */
public class ShapeProbe {
    public static void main(String[] a) throws Exception {
        ClipWeights w = ClipWeights.load(Path.of(a[0], "clip.safetensors"));
        int scale = Integer.parseInt(a[1]), n = Integer.parseInt(a[2]);
        int base = 64, size = base * scale, B = 16;
        // docs/demo-results.md's probe figures are of the four-shape world
        SyntheticWorld world = SyntheticWorld.named(a.length > 4 ? a[4] : "four-shapes");
        SceneGenerator gen = new SceneGenerator(world, base);
        ClipImageEncoder enc = new ClipImageEncoder(w, B, size, size, false);
        List<String> layers = List.of("layer1", "layer2", "layer3", "layer4");
        Map<String, List<float[]>> feats = new LinkedHashMap<>();
        List<float[]> labels = new ArrayList<>();
        for (int start = 0; start < n; start += B) {
            List<SegmentationSample> ss = new ArrayList<>();
            List<RgbImage> imgs = new ArrayList<>();
            for (int i = 0; i < B; i++) {
                SegmentationSample s = gen.scene(5_000_000L + start + i, SceneGenerator.Split.SEEN);
                ss.add(s);
                imgs.add(scale == 1 ? s.image() : TeacherCrops.bicubic(s.image(), size, size));
            }
            float[] px = Normalization.IMAGENET.batch(imgs, B);
            Map<String, INDArray> out = enc.run(Nd4j.create(px, new long[]{B, 3, size, size}, 'c'), layers);
            for (int i = 0; i < B; i++) {
                SegmentationSample s = ss.get(i);
                for (int k = 0; k < s.segments().size(); k++) {
                    SyntheticWorld.ClassInfo c = world.classes().get(s.segments().get(k).classIndex());
                    if (!c.thing()) continue;
                    for (String l : layers) {
                        INDArray f = out.get(l);
                        int C = (int) f.size(1), h = (int) f.size(2), wd = (int) f.size(3);
                        double[] wgt = new double[h * wd];
                        double tot = 0;
                        for (int y = 0; y < base; y++) for (int x = 0; x < base; x++) if (s.segmentMap()[y * base + x] == k) {
                            wgt[(y * h / base) * wd + (x * wd / base)] += 1; tot++;
                        }
                        float[] v = new float[C];
                        INDArray fi = f.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).reshape(C, h * wd);
                        for (int p = 0; p < h * wd; p++) if (wgt[p] > 0) for (int ch = 0; ch < C; ch++) v[ch] += (float) (wgt[p] / tot * fi.getDouble(ch, p));
                        feats.computeIfAbsent(l, z -> new ArrayList<>()).add(v);
                    }
                    int touching = 0;
                    int[] m = s.segmentMap();
                    for (int y = 0; y < base; y++) for (int x = 0; x < base; x++) if (m[y * base + x] == k) {
                        int[][] nb = {{x + 1, y}, {x - 1, y}, {x, y + 1}, {x, y - 1}};
                        for (int[] q : nb) if (q[0] >= 0 && q[1] >= 0 && q[0] < base && q[1] < base) {
                            int o = m[q[1] * base + q[0]];
                            if (o != k && world.classes().get(s.segments().get(o).classIndex()).thing()) touching = 1;
                        }
                    }
                    labels.add(new float[]{c.index(), c.variant(), c.colour(), touching});
                }
            }
            System.err.print("\r" + (start + B));
        }
        for (String l : layers) {
            List<float[]> r = feats.get(l);
            float[] flat = new float[r.size() * r.get(0).length];
            for (int i = 0; i < r.size(); i++) System.arraycopy(r.get(i), 0, flat, i * r.get(0).length, r.get(0).length);
            Npy.write(Path.of(a[3], l + ".npy"), Nd4j.create(flat, new long[]{r.size(), r.get(0).length}, 'c'));
        }
        float[] lf = new float[labels.size() * 4];
        for (int i = 0; i < labels.size(); i++) System.arraycopy(labels.get(i), 0, lf, i * 4, 4);
        Npy.write(Path.of(a[3], "labels.npy"), Nd4j.create(lf, new long[]{labels.size(), 4}, 'c'));
    }
}
