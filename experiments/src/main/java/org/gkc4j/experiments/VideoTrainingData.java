package org.gkc4j.experiments;

import org.gkc4j.pipeline.RelabeledSource;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.synthetic.SceneGenerator;
import org.gkc4j.pipeline.synthetic.VideoSceneGenerator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The video demo's training videos as a set of frames (every frame of every training video, video by video), seen
 * classes only, labels indexing the seen names: what the image method's caches (synonym scores, teacher features of
 * every segment) are computed over, so the video demo reads them per frame and track as the image demo reads them
 * per image and segment.
 */
final class VideoTrainingData implements TrainingData {
    private final VideoSceneGenerator gen;
    private final VideoDemoConfig.Videos videos;
    private final List<Integer> seen;
    private final SampleSource train;

    VideoTrainingData(VideoSceneGenerator gen, VideoDemoConfig.Videos videos) {
        this.gen = gen;
        this.videos = videos;
        this.seen = gen.world().seen();
        int[] map = new int[gen.world().classes().size()];
        java.util.Arrays.fill(map, -1);
        for (int i = 0; i < seen.size(); i++) {
            map[seen.get(i)] = i;
        }
        this.train = new RelabeledSource(new Frames(gen, videos), map);
    }

    /** Frame {@code index % frames} of training video {@code index / frames}; the last video is kept, as readers go in order. */
    private static final class Frames implements SampleSource {
        private final VideoSceneGenerator gen;
        private final VideoDemoConfig.Videos videos;
        private int held = -1;
        private VideoSceneGenerator.Video video;

        Frames(VideoSceneGenerator gen, VideoDemoConfig.Videos videos) {
            this.gen = gen;
            this.videos = videos;
        }

        @Override
        public int size() {
            return videos.trainVideos() * videos.frames();
        }

        @Override
        public synchronized SegmentationSample get(int index) {
            int v = index / videos.frames();
            if (v != held) {
                video = gen.video(VideoDemo.trainVideoSeed(videos, v), videos.frames(), SceneGenerator.Split.SEEN);
                held = v;
            }
            return video.frames().get(index % videos.frames());
        }

        @Override
        public String name() {
            return "synthetic-video-train";
        }
    }

    @Override
    public SampleSource train() {
        return train;
    }

    @Override
    public List<String> classes() {
        return seen.stream().map(i -> gen.world().classNames().get(i)).toList();
    }

    @Override
    public Map<String, List<String>> synonyms() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i : seen) {
            m.put(gen.world().classNames().get(i), gen.world().classes().get(i).synonyms());
        }
        return m;
    }

    @Override
    public String contentKey() {
        return "synthetic-video-" + gen.world().layout().cacheKey() + "-" + gen.size() + "-" + videos.trainVideos() + "x" + videos.frames() + "-" + videos.seed();
    }
}
