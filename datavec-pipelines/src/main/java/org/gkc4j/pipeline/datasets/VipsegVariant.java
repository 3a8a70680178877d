package org.gkc4j.pipeline.datasets;

import java.util.ArrayList;
import java.util.List;

/**
 * How a VIPSeg reader treats GKC's unseen categories. {@link #ALL}: every video and segment, the 124 classes (for
 * evaluation). {@link #BASE_IGNORE}: unseen segments are removed (their pixels become void) and every video is
 * kept, the 112 seen classes. {@link #BASE_DELETE}: a video holding any unseen segment in any frame is left out,
 * the 112 seen classes. The two base variants are GKC's training settings for the open-vocabulary video benchmark.
 */
public enum VipsegVariant {
    ALL(VipsegSplit.ALL) {
        @Override
        VipsegIndex.Video apply(VipsegIndex.Video video, VipsegCategories categories) {
            return video;
        }
    },
    BASE_IGNORE(VipsegSplit.BASE) {
        @Override
        VipsegIndex.Video apply(VipsegIndex.Video video, VipsegCategories categories) {
            List<VipsegIndex.Frame> frames = new ArrayList<>(video.frames().size());
            for (VipsegIndex.Frame f : video.frames()) {
                frames.add(f.withSegments(f.segments().stream().filter(s -> !unseen(s, categories)).toList()));
            }
            return new VipsegIndex.Video(video.id(), frames);
        }
    },
    BASE_DELETE(VipsegSplit.BASE) {
        @Override
        VipsegIndex.Video apply(VipsegIndex.Video video, VipsegCategories categories) {
            boolean holdsUnseen = video.frames().stream().flatMap(f -> f.segments().stream()).anyMatch(s -> unseen(s, categories));
            return holdsUnseen ? null : video;
        }
    };

    private final VipsegSplit vocabulary;

    VipsegVariant(VipsegSplit vocabulary) {
        this.vocabulary = vocabulary;
    }

    /** The class list the reader's class indices refer to: all 124 categories, or the 112 seen ones. */
    public VipsegSplit vocabulary() {
        return vocabulary;
    }

    /** The video as this variant reads it (segments kept in their order), or null when the variant leaves it out. */
    abstract VipsegIndex.Video apply(VipsegIndex.Video video, VipsegCategories categories);

    private static boolean unseen(VipsegIndex.SegmentInfo s, VipsegCategories categories) {
        return categories.byId(s.categoryId()).unseen();
    }
}
