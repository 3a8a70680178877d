package org.gkc4j.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * A source whose class indices are mapped to another class list (e.g. a world's classes to the seen classes a
 * model trains on); segments of classes mapped to -1 become void.
 */
public final class RelabeledSource implements SampleSource {
    private final SampleSource inner;
    private final int[] mapping;

    public RelabeledSource(SampleSource inner, int[] mapping) {
        this.inner = inner;
        this.mapping = mapping.clone();
    }

    @Override
    public int size() {
        return inner.size();
    }

    @Override
    public SegmentationSample get(int index) {
        SegmentationSample s = inner.get(index);
        List<Segment> kept = new ArrayList<>();
        int[] remap = new int[s.segments().size()];
        for (int i = 0; i < remap.length; i++) {
            Segment g = s.segments().get(i);
            int c = mapping[g.classIndex()];
            remap[i] = c < 0 ? SegmentationSample.VOID : kept.size();
            if (c >= 0) {
                kept.add(new Segment(g.id(), c, g.crowd()));
            }
        }
        int[] map = s.segmentMap().clone();
        for (int i = 0; i < map.length; i++) {
            if (map[i] >= 0) {
                map[i] = remap[map[i]];
            }
        }
        return new SegmentationSample(s.id(), s.image(), map, kept, s.captions());
    }

    @Override
    public String name() {
        return inner.name();
    }
}
