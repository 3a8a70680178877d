package org.gkc4j.pipeline.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.datavec.api.records.Record;
import org.datavec.api.split.FileSplit;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The COCO panoptic reader on the two real val2017 images of the shared sample, checked against the JSON itself. */
class CocoPanopticSampleTest {
    private static Path dir;
    private static JsonNode json;
    private static CocoPanopticDataset dataset;

    @BeforeAll
    static void open() throws IOException {
        dir = Shared.require("data/coco-panoptic-sample");
        json = new ObjectMapper().readTree(dir.resolve("panoptic_examples.json").toFile());
        dataset = CocoPanopticDataset.open(dir.resolve("panoptic_examples.json"), dir.resolve("panoptic_examples"),
                dir.resolve("input_images"), null, LoadOptions.failOnDamage(), LoadReport.quiet());
    }

    private static List<SegmentationSample> readAll(Iterator<SegmentationSample> it) {
        List<SegmentationSample> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void everySegmentMatchesTheJsonInCountAreaClassAndCrowd() {
        Map<Integer, String> categoryName = new HashMap<>();
        json.get("categories").forEach(c -> categoryName.put(c.get("id").asInt(), c.get("name").asText()));
        Map<Long, JsonNode> images = new HashMap<>();
        json.get("images").forEach(i -> images.put(i.get("id").asLong(), i));

        LoadReport report = LoadReport.quiet();
        List<SegmentationSample> samples = readAll(dataset.samples(LoadOptions.failOnDamage(), report));
        JsonNode anns = json.get("annotations");
        assertEquals(anns.size(), samples.size());
        assertEquals(2, samples.size());
        int segmentsChecked = 0;
        for (int a = 0; a < anns.size(); a++) {
            JsonNode ann = anns.get(a), info = ann.get("segments_info"), img = images.get(ann.get("image_id").asLong());
            SegmentationSample s = samples.get(a);
            assertEquals(ann.get("file_name").asText().replace(".png", ""), s.id());
            assertEquals(img.get("width").asInt(), s.width());
            assertEquals(img.get("height").asInt(), s.height());
            assertEquals(info.size(), s.segments().size(), s.id());
            long[] areas = s.areas();
            for (int i = 0; i < info.size(); i++) {
                JsonNode j = info.get(i);
                Segment seg = s.segments().get(i);
                assertEquals(j.get("id").asLong(), seg.id());
                assertEquals(j.get("area").asLong(), areas[i], s.id() + " segment " + seg.id());
                assertEquals(categoryName.get(j.get("category_id").asInt()), dataset.classNames().get(seg.classIndex()));
                assertEquals(j.get("iscrowd").asInt() == 1, seg.crowd());
                segmentsChecked++;
            }
        }
        assertEquals(50, segmentsChecked);
        LoadReport.Summary sum = report.summary();
        assertEquals(2, sum.samplesLoaded());
        assertEquals(0, sum.warnings(), sum.toString());
    }

    @Test
    void jsonCategoryOrderIsTheShippedClassList() {
        ClassNames shipped = ClassNames.load("coco-panoptic-133");
        assertEquals(shipped.names(), dataset.classNames());
        for (int i = 0; i < shipped.size(); i++) {
            assertEquals(shipped.datasetIds()[i], dataset.index().categories().get(i).id());
        }
    }

    @Test
    void aFileSplitOverThePngFolderAndMetadataReloadGiveTheSameRecords() throws Exception {
        CocoPanopticRecordReader r = new CocoPanopticRecordReader(dataset, LoadOptions.failOnDamage(), LoadReport.quiet());
        r.initialize(new FileSplit(dir.resolve("panoptic_examples").toFile(), new String[]{"png"}));
        TreeSet<String> ids = new TreeSet<>();
        List<Record> records = new ArrayList<>();
        while (r.hasNext()) {
            Record rec = r.nextRecord();
            records.add(rec);
            ids.add(rec.getRecord().get(SampleRecords.ID).toString());
        }
        assertEquals(new TreeSet<>(List.of("000000142238", "000000439180")), ids);
        assertFalse(r.hasNext());
        Record again = r.loadFromMetaData(records.get(0).getMetaData());
        SegmentationSample a = SampleRecords.decode(records.get(0).getRecord()), b = SampleRecords.decode(again.getRecord());
        assertEquals(a.id(), b.id());
        assertArrayEquals(a.segmentMap(), b.segmentMap());
        assertArrayEquals(a.image().data(), b.image().data());
        r.reset();
        assertTrue(r.hasNext());
        assertEquals(133, r.getLabels().size());
    }
}
