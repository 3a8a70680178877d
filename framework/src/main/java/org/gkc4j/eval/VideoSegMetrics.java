package org.gkc4j.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gkc4j.io.AtomicFiles;

import java.nio.file.Path;
import java.util.List;

/**
 * Video semantic-segmentation results, in percent: the frame metrics over all frames ({@link SemSegMetrics}) and
 * VSPW's video consistency per window length ({@code mVC8}, {@code mVC16}, with the {@code windows} each scored).
 */
public record VideoSegMetrics(SemSegMetrics frames, List<VideoConsistency.Score> consistency, long videos) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public VideoSegMetrics {
        consistency = List.copyOf(consistency);
    }

    /** The contract of {@code gkc eval-video-masks}: {@code eval-masks}' keys plus {@code mVC<n>}, {@code windows} and {@code videos}. */
    public ObjectNode toJson() {
        ObjectNode o = frames.toJson();
        ObjectNode windows = JSON.createObjectNode();
        for (VideoConsistency.Score s : consistency) {
            if (Double.isNaN(s.mVC())) {
                o.putNull("mVC" + s.windowLength());
            } else {
                o.put("mVC" + s.windowLength(), s.mVC());
            }
            windows.put(String.valueOf(s.windowLength()), s.windows());
        }
        o.set("windows", windows);
        o.put("videos", videos);
        return o;
    }

    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(toJson()) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
