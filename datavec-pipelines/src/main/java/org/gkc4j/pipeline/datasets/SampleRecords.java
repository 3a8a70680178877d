package org.gkc4j.pipeline.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.gkc4j.GkcException;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * The DataVec record of one {@link SegmentationSample}, shared by every reader in this package:
 * <ol start="0">
 * <li>{@code Text} sample id</li>
 * <li>{@code NDArrayWritable} image, float32 {@code [3,H,W]}, RGB values 0..255 (not normalised)</li>
 * <li>{@code NDArrayWritable} segment map, int32 {@code [H,W]}: index into the segment list, -1 for void</li>
 * <li>{@code NDArrayWritable} segment ids, int64 {@code [S]} (e.g. COCO panoptic ids)</li>
 * <li>{@code NDArrayWritable} segment classes, int32 {@code [S]}, contiguous class indices</li>
 * <li>{@code NDArrayWritable} crowd flags, int32 {@code [S]}, 0 or 1</li>
 * <li>{@code Text} captions as a JSON array of strings (exact, whatever characters a caption holds)</li>
 * </ol>
 */
public final class SampleRecords {
    public static final int ID = 0, IMAGE = 1, SEGMENT_MAP = 2, SEGMENT_IDS = 3, SEGMENT_CLASSES = 4, CROWD = 5, CAPTIONS = 6;
    public static final int FIELDS = 7;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SampleRecords() {
    }

    public static List<Writable> encode(SegmentationSample s) {
        int n = s.segments().size();
        long[] ids = new long[n];
        int[] classes = new int[n], crowd = new int[n];
        for (int i = 0; i < n; i++) {
            Segment seg = s.segments().get(i);
            ids[i] = seg.id();
            classes[i] = seg.classIndex();
            crowd[i] = seg.crowd() ? 1 : 0;
        }
        ArrayNode caps = JSON.createArrayNode();
        s.captions().forEach(caps::add);
        List<Writable> r = new ArrayList<>(FIELDS);
        r.add(new Text(s.id()));
        r.add(new NDArrayWritable(imageChw(s.image())));
        r.add(new NDArrayWritable(Nd4j.createFromArray(s.segmentMap()).reshape('c', s.height(), s.width())));
        r.add(new NDArrayWritable(Nd4j.createFromArray(ids)));
        r.add(new NDArrayWritable(Nd4j.createFromArray(classes)));
        r.add(new NDArrayWritable(Nd4j.createFromArray(crowd)));
        r.add(new Text(caps.toString()));
        return r;
    }

    public static SegmentationSample decode(List<Writable> r) {
        check(r.size() == FIELDS, "it has %d fields, not %d", r.size(), FIELDS);
        INDArray image = array(r, IMAGE, "image");
        check(image.rank() == 3 && image.size(0) == 3, "the image is %s, not [3,H,W]", java.util.Arrays.toString(image.shape()));
        int h = (int) image.size(1), w = (int) image.size(2);
        INDArray map = array(r, SEGMENT_MAP, "segment map");
        check(map.rank() == 2 && map.size(0) == h && map.size(1) == w, "the segment map is %s, the image %dx%d",
                java.util.Arrays.toString(map.shape()), w, h);
        long[] ids = longs(array(r, SEGMENT_IDS, "segment ids"));
        int[] classes = ints(array(r, SEGMENT_CLASSES, "segment classes"));
        int[] crowd = ints(array(r, CROWD, "crowd flags"));
        check(classes.length == ids.length && crowd.length == ids.length, "segment ids, classes and crowd flags differ in length");
        int[] segMap = ints(map);
        for (int v : segMap) {
            check(v >= SegmentationSample.VOID && v < ids.length, "the segment map holds %d with %d segments", v, ids.length);
        }
        List<Segment> segments = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            segments.add(new Segment(ids[i], classes[i], crowd[i] != 0));
        }
        return new SegmentationSample(r.get(ID).toString(), fromChw(image), segMap, segments, captions(r.get(CAPTIONS)));
    }

    /** HWC bytes to a float32 {@code [3,H,W]} array of 0..255 values. */
    public static INDArray imageChw(RgbImage img) {
        int w = img.width(), h = img.height(), plane = w * h;
        float[] chw = new float[3 * plane];
        byte[] d = img.data();
        for (int p = 0; p < plane; p++) {
            chw[p] = d[3 * p] & 0xff;
            chw[plane + p] = d[3 * p + 1] & 0xff;
            chw[2 * plane + p] = d[3 * p + 2] & 0xff;
        }
        return Nd4j.create(chw, new long[]{3, h, w}, DataType.FLOAT);
    }

    /** The inverse of {@link #imageChw}; values are rounded and clamped to 0..255. */
    public static RgbImage fromChw(INDArray chw) {
        int h = (int) chw.size(1), w = (int) chw.size(2), plane = w * h;
        float[] v = chw.dup('c').castTo(DataType.FLOAT).data().asFloat();
        byte[] d = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                d[3 * p + c] = (byte) Math.max(0, Math.min(255, Math.round(v[c * plane + p])));
            }
        }
        return new RgbImage(w, h, d);
    }

    private static INDArray array(List<Writable> r, int field, String what) {
        Writable w = r.get(field);
        check(w instanceof NDArrayWritable, "field %d (%s) is a %s, not an NDArrayWritable", field, what, w.getClass().getSimpleName());
        INDArray a = ((NDArrayWritable) w).get();
        check(a != null, "field %d (%s) holds no array", field, what);
        return a;
    }

    private static int[] ints(INDArray a) {
        return a.isEmpty() ? new int[0] : a.dup('c').castTo(DataType.INT32).data().asInt();
    }

    private static long[] longs(INDArray a) {
        return a.isEmpty() ? new long[0] : a.dup('c').castTo(DataType.INT64).data().asLong();
    }

    private static List<String> captions(Writable w) {
        JsonNode n;
        try {
            n = JSON.readTree(w.toString());
        } catch (JsonProcessingException e) {
            throw GkcException.of("not a segmentation-sample record: the captions field is not a JSON array");
        }
        check(n != null && n.isArray(), "the captions field is not a JSON array");
        List<String> out = new ArrayList<>(n.size());
        n.forEach(c -> out.add(c.asText()));
        return out;
    }

    private static void check(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new GkcException("not a segmentation-sample record: " + String.format(format, args));
        }
    }
}
