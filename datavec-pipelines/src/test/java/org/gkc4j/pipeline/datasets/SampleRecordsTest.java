package org.gkc4j.pipeline.datasets;

import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.gkc4j.GkcException;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The record codec: exact round trips and clear errors for records of another shape. */
class SampleRecordsTest {
    static SegmentationSample sample() {
        RgbImage img = RgbImage.blank(3, 2);
        img.set(0, 0, 255, 0, 1);
        img.set(2, 1, 9, 128, 254);
        return new SegmentationSample("x/1", img, new int[]{0, 0, 1, -1, 1, 0},
                List.of(new Segment(16_000_000L, 132, false), new Segment(7, 3, true)),
                List.of("a \"dog\"\non two lines", "caf\u00e9 \u2603", ""));
    }

    @Test
    void roundTripIsExactAndTheImageIsChwFloat() {
        SegmentationSample s = sample();
        List<Writable> r = SampleRecords.encode(s);
        INDArray image = ((NDArrayWritable) r.get(SampleRecords.IMAGE)).get();
        assertArrayEquals(new long[]{3, 2, 3}, image.shape());
        assertEquals(DataType.FLOAT, image.dataType());
        assertEquals(128f, image.getFloat(1, 1, 2));  // channel G of pixel (2, 1)
        assertEquals(DataType.INT64, ((NDArrayWritable) r.get(SampleRecords.SEGMENT_IDS)).get().dataType());

        SegmentationSample back = SampleRecords.decode(r);
        assertEquals(s.id(), back.id());
        assertArrayEquals(s.image().data(), back.image().data());
        assertArrayEquals(s.segmentMap(), back.segmentMap());
        assertEquals(s.segments(), back.segments());
        assertEquals(s.captions(), back.captions());
    }

    @Test
    void aSampleWithoutSegmentsOrCaptionsSurvives() {
        SegmentationSample s = new SegmentationSample("empty", RgbImage.blank(2, 2), new int[]{-1, -1, -1, -1}, List.of(), List.of());
        SegmentationSample back = SampleRecords.decode(SampleRecords.encode(s));
        assertEquals(0, back.segments().size());
        assertEquals(0, back.captions().size());
        assertArrayEquals(s.segmentMap(), back.segmentMap());
    }

    @Test
    void recordsOfAnotherShapeAreRejectedClearly() {
        List<Writable> r = SampleRecords.encode(sample());
        List<Writable> shorter = new ArrayList<>(r.subList(0, 6));
        assertTrue(assertThrows(GkcException.class, () -> SampleRecords.decode(shorter)).getMessage().contains("it has 6 fields, not 7"));
        List<Writable> wrongType = new ArrayList<>(r);
        wrongType.set(SampleRecords.SEGMENT_MAP, new IntWritable(3));
        assertTrue(assertThrows(GkcException.class, () -> SampleRecords.decode(wrongType)).getMessage().contains("field 2 (segment map) is a IntWritable"));
        List<Writable> badIndex = new ArrayList<>(r);
        badIndex.set(SampleRecords.SEGMENT_MAP, new NDArrayWritable(Nd4j.createFromArray(new int[]{0, 0, 5, 0, 0, 0}).reshape(2, 3)));
        assertTrue(assertThrows(GkcException.class, () -> SampleRecords.decode(badIndex)).getMessage().contains("holds 5 with 2 segments"));
        List<Writable> badCaptions = new ArrayList<>(r);
        badCaptions.set(SampleRecords.CAPTIONS, new Text("not json"));
        assertTrue(assertThrows(GkcException.class, () -> SampleRecords.decode(badCaptions)).getMessage().contains("captions"));
    }

    @Test
    void semanticSamplesBecomeOneSegmentPerClassAndBack() {
        int[] labels = {4, 4, 255, 0, 9, 4};
        SemanticSample s = new SemanticSample("s", RgbImage.blank(3, 2), labels, 255);
        SegmentationSample seg = s.toSegmentationSample();
        assertEquals(List.of(new Segment(0, 0, false), new Segment(4, 4, false), new Segment(9, 9, false)), seg.segments());
        assertArrayEquals(new int[]{1, 1, -1, 0, 2, 1}, seg.segmentMap());
        assertArrayEquals(labels, SemanticSample.of(seg, 255).labels());
    }
}
