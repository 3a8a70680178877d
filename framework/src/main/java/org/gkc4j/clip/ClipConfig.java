package org.gkc4j.clip;

import org.gkc4j.GkcException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sizes of a CLIP model with a ModifiedResNet image tower. {@link #infer} reads them from tensor shapes as
 * {@code clip.model.build_model} does; only the text tower's head count cannot be read from shapes.
 */
public record ClipConfig(int embedDim, int imageResolution, List<Integer> visionLayers, int visionWidth,
                         int contextLength, int vocabSize, int transformerWidth, int transformerHeads, int transformerLayers) {

    public static final String HEADS_METADATA_KEY = "transformer_heads";
    private static final Pattern LAYER_BLOCK = Pattern.compile("^visual\\.layer(\\d)\\.(\\d+)\\.");
    private static final Pattern RESBLOCK = Pattern.compile("^transformer\\.resblocks\\.(\\d+)\\.");
    /** Keys a checkpoint may carry that hold no weights of ours. */
    private static final List<String> IGNORED_SUFFIXES = List.of("num_batches_tracked");
    private static final List<String> IGNORED_KEYS = List.of("input_resolution", "context_length", "vocab_size");

    /** OpenAI's RN50: 38.3 M visual and 63.7 M text parameters. */
    public static ClipConfig rn50() {
        return new ClipConfig(1024, 224, List.of(3, 4, 6, 3), 64, 77, 49408, 512, 8, 12);
    }

    public int visionHeads() {
        return visionWidth * 32 / 64;
    }

    /** Channels of layer4's output and of the attention pool. */
    public int visionEmbed() {
        return visionWidth * 32;
    }

    public int gridSize() {
        return imageResolution / 32;
    }

    /** Whether a checkpoint key carries nothing this framework uses (and is not expected back on export). */
    public static boolean ignored(String key) {
        return IGNORED_KEYS.contains(key) || IGNORED_SUFFIXES.stream().anyMatch(key::endsWith);
    }

    /**
     * Infers the sizes from tensor shapes. The text head count, which no shape tells, comes from metadata
     * {@value #HEADS_METADATA_KEY} where present, else from OpenAI's rule width / 64 (every published OpenAI CLIP
     * follows it; PyTorch files carry no metadata).
     */
    public static ClipConfig infer(Map<String, long[]> shapes, Map<String, String> metadata) {
        for (String k : List.of("visual.conv1.weight", "visual.layer1.0.conv1.weight", "visual.attnpool.positional_embedding",
                "text_projection", "positional_embedding", "token_embedding.weight", "ln_final.weight")) {
            if (!shapes.containsKey(k)) {
                throw GkcException.of("not a CLIP ModifiedResNet checkpoint: tensor '%s' is missing", k);
            }
        }
        int[] counts = new int[4];
        TreeSet<Integer> resblocks = new TreeSet<>();
        for (String k : shapes.keySet()) {
            Matcher m = LAYER_BLOCK.matcher(k);
            if (m.find()) {
                int layer = Integer.parseInt(m.group(1));
                if (layer >= 1 && layer <= 4) {
                    counts[layer - 1] = Math.max(counts[layer - 1], Integer.parseInt(m.group(2)) + 1);
                }
            }
            Matcher r = RESBLOCK.matcher(k);
            if (r.find()) {
                resblocks.add(Integer.parseInt(r.group(1)));
            }
        }
        int visionWidth = (int) shapes.get("visual.layer1.0.conv1.weight")[0];
        int embedDim = (int) shapes.get("text_projection")[1];
        long posRows = shapes.get("visual.attnpool.positional_embedding")[0];
        int grid = (int) Math.round(Math.sqrt(posRows - 1));
        if (grid * grid + 1 != posRows) {
            throw GkcException.of("visual.attnpool.positional_embedding has %d rows, not 1 + a square", posRows);
        }
        int width = (int) shapes.get("ln_final.weight")[0];
        int heads;
        boolean headsFromRule = metadata == null || !metadata.containsKey(HEADS_METADATA_KEY);
        if (!headsFromRule) {
            try {
                heads = Integer.parseInt(metadata.get(HEADS_METADATA_KEY).trim());
            } catch (NumberFormatException e) {
                throw GkcException.of("metadata %s is not a number: '%s'", HEADS_METADATA_KEY, metadata.get(HEADS_METADATA_KEY));
            }
        } else {
            heads = width / 64;
        }
        if (heads <= 0 || width % heads != 0) {
            throw GkcException.of("text width %d cannot be split into %d heads%s", width, heads, headsFromRule
                    ? " (OpenAI's rule width / 64, used because the file records no " + HEADS_METADATA_KEY + " metadata)" : "");
        }
        ClipConfig c = new ClipConfig(embedDim, grid * 32, List.of(counts[0], counts[1], counts[2], counts[3]), visionWidth,
                (int) shapes.get("positional_embedding")[0], (int) shapes.get("token_embedding.weight")[0], width, heads,
                resblocks.isEmpty() ? 0 : resblocks.last() + 1);
        c.validate(shapes);
        return c;
    }

    /** Every key and shape of a checkpoint with these sizes, in OpenAI's order. */
    public LinkedHashMap<String, long[]> expectedShapes() {
        LinkedHashMap<String, long[]> m = new LinkedHashMap<>();
        m.put("positional_embedding", new long[]{contextLength, transformerWidth});
        m.put("text_projection", new long[]{transformerWidth, embedDim});
        m.put("logit_scale", new long[]{});
        int half = visionWidth / 2;
        conv(m, "visual.conv1", half, 3, 3);
        bn(m, "visual.bn1", half);
        conv(m, "visual.conv2", half, half, 3);
        bn(m, "visual.bn2", half);
        conv(m, "visual.conv3", visionWidth, half, 3);
        bn(m, "visual.bn3", visionWidth);
        int inplanes = visionWidth;
        for (int l = 0; l < 4; l++) {
            int planes = visionWidth << l;
            for (int b = 0; b < visionLayers.get(l); b++) {
                String p = "visual.layer" + (l + 1) + "." + b;
                conv(m, p + ".conv1", planes, inplanes, 1);
                bn(m, p + ".bn1", planes);
                conv(m, p + ".conv2", planes, planes, 3);
                bn(m, p + ".bn2", planes);
                conv(m, p + ".conv3", planes * 4, planes, 1);
                bn(m, p + ".bn3", planes * 4);
                int stride = (b == 0 && l > 0) ? 2 : 1;
                if (b == 0 && (stride > 1 || inplanes != planes * 4)) {
                    conv(m, p + ".downsample.0", planes * 4, inplanes, 1);
                    bn(m, p + ".downsample.1", planes * 4);
                }
                inplanes = planes * 4;
            }
        }
        int e = visionEmbed();
        m.put("visual.attnpool.positional_embedding", new long[]{(long) gridSize() * gridSize() + 1, e});
        for (String proj : List.of("k_proj", "q_proj", "v_proj")) {
            m.put("visual.attnpool." + proj + ".weight", new long[]{e, e});
            m.put("visual.attnpool." + proj + ".bias", new long[]{e});
        }
        m.put("visual.attnpool.c_proj.weight", new long[]{embedDim, e});
        m.put("visual.attnpool.c_proj.bias", new long[]{embedDim});
        int w = transformerWidth;
        for (int i = 0; i < transformerLayers; i++) {
            String p = "transformer.resblocks." + i;
            m.put(p + ".attn.in_proj_weight", new long[]{3L * w, w});
            m.put(p + ".attn.in_proj_bias", new long[]{3L * w});
            m.put(p + ".attn.out_proj.weight", new long[]{w, w});
            m.put(p + ".attn.out_proj.bias", new long[]{w});
            m.put(p + ".ln_1.weight", new long[]{w});
            m.put(p + ".ln_1.bias", new long[]{w});
            m.put(p + ".mlp.c_fc.weight", new long[]{4L * w, w});
            m.put(p + ".mlp.c_fc.bias", new long[]{4L * w});
            m.put(p + ".mlp.c_proj.weight", new long[]{w, 4L * w});
            m.put(p + ".mlp.c_proj.bias", new long[]{w});
            m.put(p + ".ln_2.weight", new long[]{w});
            m.put(p + ".ln_2.bias", new long[]{w});
        }
        m.put("token_embedding.weight", new long[]{vocabSize, w});
        m.put("ln_final.weight", new long[]{w});
        m.put("ln_final.bias", new long[]{w});
        return m;
    }

    private static void conv(Map<String, long[]> m, String p, long out, long in, long k) {
        m.put(p + ".weight", new long[]{out, in, k, k});
    }

    private static void bn(Map<String, long[]> m, String p, long c) {
        for (String s : List.of("weight", "bias", "running_mean", "running_var")) {
            m.put(p + "." + s, new long[]{c});
        }
    }

    /** One error naming every missing, unexpected and wrongly shaped tensor (the first few of each). */
    public void validate(Map<String, long[]> shapes) {
        LinkedHashMap<String, long[]> want = expectedShapes();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), wrong = new ArrayList<>();
        for (var e : want.entrySet()) {
            long[] got = shapes.get(e.getKey());
            if (got == null) {
                if (!e.getKey().equals("logit_scale")) {
                    missing.add(e.getKey());
                }
            } else if (!Arrays.equals(got, e.getValue()) && !(e.getValue().length == 0 && product(got) == 1)) {
                wrong.add(e.getKey() + " " + Arrays.toString(got) + " (expected " + Arrays.toString(e.getValue()) + ")");
            }
        }
        for (String k : shapes.keySet()) {
            if (!want.containsKey(k) && !ignored(k)) {
                unexpected.add(k);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !wrong.isEmpty()) {
            StringBuilder sb = new StringBuilder("CLIP weights do not fit the inferred architecture (" + summary() + "):");
            append(sb, "missing", missing);
            append(sb, "unexpected", unexpected);
            append(sb, "wrong shape", wrong);
            throw new GkcException(sb.toString());
        }
    }

    private static long product(long[] s) {
        long p = 1;
        for (long d : s) p *= d;
        return p;
    }

    private static void append(StringBuilder sb, String what, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        sb.append(' ').append(what).append(' ').append(keys.size()).append(": ");
        sb.append(String.join(", ", keys.subList(0, Math.min(5, keys.size()))));
        if (keys.size() > 5) {
            sb.append(", ...");
        }
        sb.append(';');
    }

    public String summary() {
        return "ModifiedResNet layers " + visionLayers + " width " + visionWidth + " at " + imageResolution + "px, text "
                + transformerLayers + "x" + transformerWidth + " with " + transformerHeads + " heads, embed " + embedDim;
    }
}
