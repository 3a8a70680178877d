package org.gkc4j.pipeline;

/**
 * One annotated segment: its id in the source annotation (e.g. the COCO panoptic segment id), its class as a
 * contiguous index into the dataset's class list, and whether it is a crowd region.
 */
public record Segment(long id, int classIndex, boolean crowd) {
}
