package org.gkc4j.experiments;

import java.util.List;

/**
 * An ablation study: a base run config, overrides common to every run, named variants (each a list of overrides)
 * and the seeds every variant runs with. Results are mean and standard deviation over seeds.
 */
public record AblationConfig(String title, String base, List<String> set, List<Long> seeds, List<Variant> variants) {
    public record Variant(String name, List<String> set) {
    }

    public static AblationConfig defaults() {
        return new AblationConfig("ablation", "../demo.yaml", List.of(), List.of(0L, 1L, 2L), List.of());
    }
}
