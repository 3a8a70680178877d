package org.gkc4j.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The video demo's choice of the image weights' share from the candidates' validation harmonic mIoU. */
class ImageShareChoiceTest {
    @Test
    void choosesTheHighestHarmonicMIoU() {
        // candidates 0 / 0.25 / 0.5 / 0.75 / 1: start-network distillation seed 0 on 24 and on 12 validation videos
        // (averaging.json, rounded) for the first and third; the second a hand-made case whose last candidate wins
        assertEquals(1, VideoDemo.highestHarmonic(new double[] {35.4, 36.8, 34.3, 32.4, 30.7}));
        assertEquals(4, VideoDemo.highestHarmonic(new double[] {5.5, 21.7, 21.3, 18.1, 42.2}));
        assertEquals(0, VideoDemo.highestHarmonic(new double[] {20.5, 18.5, 18.5, 16.1, 15.9}));
        assertEquals(0, VideoDemo.highestHarmonic(new double[] {12.0}));
    }

    @Test
    void aTieGoesToTheFirstListedAndAnUndefinedFigureNeverWins() {
        assertEquals(1, VideoDemo.highestHarmonic(new double[] {5.0, 7.0, 7.0}));
        assertEquals(1, VideoDemo.highestHarmonic(new double[] {Double.NaN, 2.0, 1.0}));
        assertEquals(2, VideoDemo.highestHarmonic(new double[] {3.0, Double.NaN, 4.0}));
        assertEquals(0, VideoDemo.highestHarmonic(new double[] {Double.NaN, Double.NaN}));
    }
}
