package org.gkc4j.pipeline.text;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.TargetEnricher;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Caption grounding's words while loading: nouns of one randomly chosen caption of the image (at most 5, each
 * dropped with probability 0.25, the authors' sampler). Images without captions get no words.
 */
public final class CaptionGrounding implements TargetEnricher {
    private final CaptionNouns nouns;

    public CaptionGrounding(CaptionNouns nouns) {
        this.nouns = nouns;
    }

    @Override
    public ImageTargets enrich(SegmentationSample original, SegmentationSample augmented, ImageTargets targets, SplittableRandom rng) {
        List<String> captions = original.captions();
        if (captions.isEmpty()) {
            return targets.withCaptionNouns(List.of());
        }
        String caption = captions.get(rng.nextInt(captions.size()));
        return targets.withCaptionNouns(nouns.sample(caption, rng));
    }
}
