package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.io.TensorFile;
import org.gkc4j.io.WeightFiles;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcPredictor;
import org.gkc4j.model.VideoPredictor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a trained network labels the frames of a video against a vocabulary: a video network clip by clip, joined into
 * tracks ({@link ClipByClip}), or an image network frame by frame ({@link FrameByFrame}). {@link #of} chooses by what
 * the run's weights file records: a video run's file carries its video config under {@value #VIDEO_CONFIG_KEY}.
 */
public interface VideoLabeller extends AutoCloseable {
    /** The metadata key under which a video run's weights and checkpoints record its video config (YAML). */
    String VIDEO_CONFIG_KEY = "video_config";

    /** Label maps (row-major class indices into the vocabulary {@code text} [K,E]) of every frame of a video [F,3,H,W], normalised, H and W multiples of 32. */
    int[][] label(INDArray frames, INDArray text);

    /** Label maps [V][frame][pixel] against each of V vocabularies [K_v,E]; by default one labelling per vocabulary. */
    default int[][][] label(INDArray frames, List<INDArray> vocabularies) {
        int[][][] out = new int[vocabularies.size()][][];
        for (int v = 0; v < out.length; v++) {
            out[v] = label(frames, vocabularies.get(v));
        }
        return out;
    }

    /** What labels the frames, for reports. */
    String description();

    @Override
    default void close() {
    }

    /** The labeller a run's weights call for (a run folder or its weights file). */
    static VideoLabeller of(Path checkpoint, TrainedModel model) {
        VideoConfig video = recordedVideoConfig(checkpoint);
        return video == null ? new FrameByFrame(model.config().model(), model.weights())
                : new ClipByClip(model.config().model(), model.weights(), video.clipLength(), video.overlap(), video.stitching());
    }

    /** Whether the run's weights file records a video config. */
    static boolean isVideoRun(Path checkpoint) {
        return recordedVideoConfig(checkpoint) != null;
    }

    /** The clip schedule and stitching a video run recorded, or null for an image run. */
    static VideoConfig recordedVideoConfig(Path checkpoint) {
        Path file = Files.isDirectory(checkpoint) ? checkpoint.resolve(TrainingRun.WEIGHTS) : checkpoint;
        if (!Files.exists(file)) {
            throw GkcException.of("checkpoint not found: %s", file);
        }
        String yaml;
        try (TensorFile f = WeightFiles.open(file)) {
            yaml = f.metadata().get(VIDEO_CONFIG_KEY);
        }
        return yaml == null ? null : VideoConfig.parse(yaml, file);
    }

    /** The inference part of a video run's config: clips of {@code clipLength} frames overlapping by {@code overlap}, and how they are joined. */
    record VideoConfig(int clipLength, int overlap, VideoDemoConfig.Stitching stitching) {
        /** A VIPSeg run's {@link VideoRunConfig} or the video demo's {@link VideoDemoConfig}. */
        static VideoConfig parse(String yaml, Path file) {
            try {
                Path tmp = Files.createTempFile("gkc-video", ".yaml");
                try {
                    Files.writeString(tmp, yaml);
                    if (Configs.YAML.readTree(yaml).has("videos")) {
                        VideoDemoConfig d = Configs.load(VideoDemoConfig.class, VideoDemoConfig.defaults(), tmp, List.of());
                        return new VideoConfig(d.videos().clipLength(), d.videos().overlap(), d.stitching());
                    }
                    VideoRunConfig r = Configs.load(VideoRunConfig.class, VideoRunConfig.defaults(), tmp, List.of());
                    return new VideoConfig(r.data().clipLength(), r.data().overlap(), r.stitching());
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException | RuntimeException e) {
                throw GkcException.of("cannot read the video config recorded in %s: %s", file, e.getMessage());
            }
        }
    }

    /**
     * A video network on clips of {@code clipLength} frames overlapping by {@code overlap}, joined into tracks; a
     * video shorter than one clip is padded with copies of its last frame, whose labels are dropped.
     */
    final class ClipByClip implements VideoLabeller {
        private final VideoPredictor predictor;
        private final int clipLength, overlap;

        public ClipByClip(GkcModelConfig model, Map<String, INDArray> weights, int clipLength, int overlap, VideoDemoConfig.Stitching stitching) {
            this.predictor = new VideoPredictor(model, weights, clipLength, overlap, stitching.stitcher());
            this.clipLength = clipLength;
            this.overlap = overlap;
        }

        @Override
        public int[][] label(INDArray frames, INDArray text) {
            return label(frames, List.of(text))[0];
        }

        /** One pass of the network per video: the vocabularies classify the same query embeddings. */
        @Override
        public int[][][] label(INDArray frames, List<INDArray> vocabularies) {
            int f = (int) frames.size(0);
            if (f >= clipLength) {
                return predictor.predict(frames, vocabularies);
            }
            INDArray padded = Nd4j.create(frames.dataType(), clipLength, frames.size(1), frames.size(2), frames.size(3));
            for (int i = 0; i < clipLength; i++) {
                padded.get(NDArrayIndex.point(i)).assign(frames.get(NDArrayIndex.point(Math.min(i, f - 1))));
            }
            int[][][] out = predictor.predict(padded, vocabularies);
            for (int v = 0; v < out.length; v++) {
                out[v] = java.util.Arrays.copyOf(out[v], f);
            }
            return out;
        }

        /** The most full-resolution frames of masks the last video held at once. */
        public int peakFullResolutionFrames() {
            return predictor.peakFullResolutionFrames();
        }

        @Override
        public String description() {
            return String.format(java.util.Locale.ROOT, "video network, clips of %d frames overlapping by %d, stitched into tracks", clipLength, overlap);
        }

        @Override
        public void close() {
            predictor.close();
        }
    }

    /** An image network on one frame at a time. */
    final class FrameByFrame implements VideoLabeller {
        private final GkcPredictor predictor;

        public FrameByFrame(GkcModelConfig model, Map<String, INDArray> weights) {
            this.predictor = new GkcPredictor(model, weights);
        }

        @Override
        public int[][] label(INDArray frames, INDArray text) {
            int f = (int) frames.size(0);
            int[][] out = new int[f][];
            for (int i = 0; i < f; i++) {
                INDArray sem = predictor.run(frames.get(NDArrayIndex.interval(i, i + 1)), text).semSeg();   // [1,K,H,W]
                out[i] = Nd4j.argMax(sem, 1).dup('c').castTo(DataType.INT).data().asInt();
            }
            return out;
        }

        /** One pass of the network per frame: one graph's heads classify the same queries against every vocabulary. */
        @Override
        public int[][][] label(INDArray frames, List<INDArray> vocabularies) {
            int f = (int) frames.size(0);
            int[][][] out = new int[vocabularies.size()][f][];
            for (int i = 0; i < f; i++) {
                List<INDArray> sems = predictor.semanticScores(frames.get(NDArrayIndex.interval(i, i + 1)), vocabularies);   // each [1,K,H,W]
                for (int v = 0; v < out.length; v++) {
                    out[v][i] = Nd4j.argMax(sems.get(v), 1).dup('c').castTo(DataType.INT).data().asInt();
                }
            }
            return out;
        }

        @Override
        public String description() {
            return "image network, frame by frame";
        }

        @Override
        public void close() {
            predictor.close();
        }
    }
}
