package org.gkc4j.pipeline.datasets;

import org.gkc4j.pipeline.SegmentationSample;

/**
 * One decoded VIPSeg frame: its video, its annotation as the reader's variant keeps it, and the sample.
 * {@code frame.segments().get(i)} (with the VIPSeg category and instance id) is {@code sample.segments().get(i)}.
 */
public record VipsegFrameSample(String videoId, VipsegIndex.Frame frame, SegmentationSample sample) {
}
