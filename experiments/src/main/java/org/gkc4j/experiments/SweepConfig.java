package org.gkc4j.experiments;

import java.util.List;
import java.util.Map;

/**
 * An Arbiter hyper-parameter search over run-config keys: {@code random} (trials candidates) or {@code grid}
 * (gridPoints values per continuous or integer key). Each key's space is {@code {type: double|int|choice, min, max,
 * log, values}}; the objective is a key of the run's metrics (hIoU by default), maximised.
 */
public record SweepConfig(String title, String base, List<String> set, String strategy, int trials, int gridPoints, long seed,
                          String objective, Map<String, Space> space) {
    /** One key's search space; {@code choice} needs only {@code values}, {@code double} and {@code int} need min and max. */
    public record Space(String type, Double min, Double max, Boolean log, List<String> values) {
        public Space {
            min = min == null ? Double.NaN : min;
            max = max == null ? Double.NaN : max;
            log = log != null && log;
            values = values == null ? List.of() : List.copyOf(values);
        }
    }

    public static SweepConfig defaults() {
        return new SweepConfig("sweep", "../demo.yaml", List.of(), "random", 8, 3, 0, "hIoU", Map.of());
    }
}
