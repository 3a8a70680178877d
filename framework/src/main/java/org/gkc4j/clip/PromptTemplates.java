package org.gkc4j.clip;

import org.gkc4j.GkcException;

import java.util.List;

/**
 * How a class name becomes text for the text tower. GKC feeds the raw name ({@code "{}"}); an ensemble of several
 * templates (embeddings normalised, averaged, normalised again) is an option GKC never offered.
 */
public record PromptTemplates(List<String> templates) {
    public static final PromptTemplates RAW = new PromptTemplates(List.of("{}"));
    /** A small ensemble in the spirit of CLIP's zero-shot prompts. */
    public static final PromptTemplates ENSEMBLE = new PromptTemplates(List.of(
            "{}", "a photo of a {}.", "a photo of the {}.", "a picture of a {}.", "there is a {} in the scene.",
            "a cropped photo of a {}.", "a close-up photo of a {}."));

    public PromptTemplates {
        if (templates == null || templates.isEmpty()) {
            throw new GkcException("no prompt templates given");
        }
        for (String t : templates) {
            if (!t.contains("{}")) {
                throw GkcException.of("prompt template '%s' has no {} for the name", t);
            }
        }
        templates = List.copyOf(templates);
    }

    public String apply(int template, String name) {
        return templates.get(template).replace("{}", name);
    }

    public boolean isEnsemble() {
        return templates.size() > 1;
    }
}
