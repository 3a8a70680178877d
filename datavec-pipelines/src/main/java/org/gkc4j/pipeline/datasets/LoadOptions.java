package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;
import org.gkc4j.io.ImageFiles;

/**
 * How a dataset reader treats damage (an unreadable image or annotation, a size mismatch, an invalid label value, a
 * segment id the JSON does not list) and how large an input it accepts.
 *
 * @param onDamage       {@link OnDamage#SKIP}: skip the sample (or, for an unknown segment id, just that segment),
 *                       warn and count it in the {@link LoadReport}; {@link OnDamage#FAIL}: stop with that message
 * @param maxImagePixels images and label maps whose header declares more pixels are rejected before decoding
 * @param maxJsonBytes   annotation JSON files larger than this are rejected before parsing
 */
public record LoadOptions(OnDamage onDamage, long maxImagePixels, long maxJsonBytes) {
    public enum OnDamage { SKIP, FAIL }

    /** COCO's panoptic_train2017.json is about 0.4 GB and captions_train2017.json 0.1 GB. */
    public static final long DEFAULT_MAX_JSON_BYTES = 4L << 30;

    public LoadOptions {
        GkcException.check(onDamage != null, "onDamage must be given");
        GkcException.check(maxImagePixels > 0 && maxJsonBytes > 0, "size limits must be positive");
    }

    public static LoadOptions skipDamaged() {
        return new LoadOptions(OnDamage.SKIP, ImageFiles.DEFAULT_MAX_PIXELS, DEFAULT_MAX_JSON_BYTES);
    }

    public static LoadOptions failOnDamage() {
        return new LoadOptions(OnDamage.FAIL, ImageFiles.DEFAULT_MAX_PIXELS, DEFAULT_MAX_JSON_BYTES);
    }

    public LoadOptions withMaxImagePixels(long pixels) {
        return new LoadOptions(onDamage, pixels, maxJsonBytes);
    }
}
