package org.gkc4j.criterion;

/**
 * Weights, point counts and ratios of the criterion; defaults are the authors' released configuration (mask and
 * dice 5, plain-name class 2, void 0.1, 50 % region dropout, 12544 points with oversampling 3 and importance 0.75,
 * matcher costs class 2 / mask 5 / dice 5, deep supervision over every prediction set).
 */
public record CriterionConfig(double maskWeight, double diceWeight, double classWeight, double voidWeight, double regionDropout,
                              int points, double oversample, double importance, double costClass, double costMask, double costDice,
                              boolean deepSupervision, int maxTargetsPerImage) {
    public static CriterionConfig defaults() {
        return new CriterionConfig(5, 5, 2, 0.1, 0.5, 12544, 3.0, 0.75, 2, 5, 5, true, 100);
    }
}
