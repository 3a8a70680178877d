package org.gkc4j.data;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * One training image's ground truth after augmentation, in the order of its segments:
 * <ul>
 * <li>{@code masks} [N,H,W] (0/1, the image's padded size) and {@code labels}, indices into the dataset's class list;</li>
 * <li>text diversification (may be null): the image's own vocabulary and each segment's index into it;</li>
 * <li>distillation (may be null): the frozen teacher's feature of each segment's region, [N, E_t];</li>
 * <li>grounding (may be empty): nouns of one caption of the image.</li>
 * </ul>
 */
public record ImageTargets(INDArray masks, int[] labels, List<String> vocabulary, int[] vocabularyTargets,
                           INDArray teacherFeatures, List<String> captionNouns) {

    public ImageTargets {
        if (masks.size(0) != labels.length) {
            throw new IllegalArgumentException(labels.length + " labels for " + masks.size(0) + " masks");
        }
        if (vocabularyTargets != null && vocabularyTargets.length != labels.length) {
            throw new IllegalArgumentException("one vocabulary target per segment expected");
        }
        captionNouns = captionNouns == null ? List.of() : List.copyOf(captionNouns);
    }

    public static ImageTargets plain(INDArray masks, int[] labels) {
        return new ImageTargets(masks, labels, null, null, null, List.of());
    }

    public int count() {
        return labels.length;
    }

    public ImageTargets withVocabulary(List<String> vocabulary, int[] targets) {
        return new ImageTargets(masks, labels, vocabulary, targets, teacherFeatures, captionNouns);
    }

    public ImageTargets withTeacher(INDArray teacher) {
        return new ImageTargets(masks, labels, vocabulary, vocabularyTargets, teacher, captionNouns);
    }

    public ImageTargets withCaptionNouns(List<String> nouns) {
        return new ImageTargets(masks, labels, vocabulary, vocabularyTargets, teacherFeatures, nouns);
    }
}
