package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A change to the distillation teacher's cached features before training, one per config value that asks for it
 * (neither is in the paper). Both compare teacher features with the training names' text embeddings, so both need
 * the teacher in the text space; that is checked once, here.
 */
interface TeacherTransform {
    /** The config key and value that ask for this transform, for errors. */
    String setting();

    /** The transformed store; may add figures to the teacher report. */
    TeacherFeatureStore apply(TeacherFeatureStore store, SampleSource train, INDArray classText, Map<String, Object> report);

    /** Where the teacher's features are placed ({@code distillation.space}); the teacher report measures the result. */
    static List<TeacherTransform> placement(RunConfig.Distillation d) {
        List<TeacherTransform> out = new ArrayList<>();
        if (d.space() == RunConfig.TeacherSpace.GAP_SHIFTED) {
            out.add(new TeacherTransform() {
                public String setting() {
                    return "distillation.space=gap_shifted";
                }

                public TeacherFeatureStore apply(TeacherFeatureStore store, SampleSource train, INDArray classText, Map<String, Object> report) {
                    return ModalityGapShift.apply(store, classText);
                }
            });
        }
        return out;
    }

    /** Which segments keep their teacher ({@code distillation.trust}), applied after the teacher report. */
    static List<TeacherTransform> selection(RunConfig.Distillation d) {
        List<TeacherTransform> out = new ArrayList<>();
        if (d.trust() == RunConfig.TeacherTrust.AGREEING) {
            out.add(new TeacherTransform() {
                public String setting() {
                    return "distillation.trust=agreeing";
                }

                public TeacherFeatureStore apply(TeacherFeatureStore store, SampleSource train, INDArray classText, Map<String, Object> report) {
                    TeacherAgreement.Filtered kept = TeacherAgreement.keepAgreeing(train, store, classText);
                    report.put("distilled_segments", kept.kept());
                    System.err.printf("gkc: distilling the %d of %d training segments whose teacher agrees with the label%n", kept.kept(), kept.segments());
                    return kept.store();
                }
            });
        }
        return out;
    }

    /** Applies every transform after checking the teacher is in the text space. */
    static TeacherFeatureStore applyAll(List<TeacherTransform> transforms, TeacherFeatureStore store, SampleSource train, INDArray classText,
                                        Map<String, Object> report) {
        TeacherFeatureStore s = store;
        for (TeacherTransform t : transforms) {
            if (s.dim() != classText.columns()) {
                throw GkcException.of("%s needs teacher features in the text space (distillation.target=global)", t.setting());
            }
            s = t.apply(s, train, classText, report);
        }
        return s;
    }
}
