package org.gkc4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the network sizes from a detectron2-style config as the authors write them ({@code _BASE_} inheritance,
 * MODEL.RESNETS / SEM_SEG_HEAD / MASK_FORMER / TEXT_ENCODER). Keys that do not size the network are ignored;
 * detectron2's and Mask2Former's defaults fill the rest.
 */
public final class D2Config {
    private D2Config() {
    }

    public static GkcModelConfig read(Path file) {
        ObjectNode merged = Configs.YAML.createObjectNode();
        mergeWithBases(merged, file, 0);
        JsonNode m = merged.path("MODEL");
        JsonNode res = m.path("RESNETS"), head = m.path("SEM_SEG_HEAD"), mf = m.path("MASK_FORMER"), text = m.path("TEXT_ENCODER");
        String backboneName = m.path("BACKBONE").path("NAME").asText("CLIPResNetWithAttention");
        if (!backboneName.startsWith("CLIPResNet")) {
            throw GkcException.of("%s: backbone %s is not supported (only the CLIP ModifiedResNet trunk)", file, backboneName);
        }
        List<Integer> layers = new ArrayList<>();
        res.path("LAYERS").forEach(n -> layers.add(n.asInt()));
        if (layers.isEmpty()) {
            layers.addAll(List.of(3, 4, 6, 3));
        }
        if (layers.size() != 4) {
            throw GkcException.of("%s: MODEL.RESNETS.LAYERS must list 4 stages, got %s", file, layers);
        }
        String decoderName = head.path("PIXEL_DECODER_NAME").asText("MSDeformAttnPixelDecoder");
        GkcModelConfig.PixelDecoderType type = switch (decoderName) {
            case "MSDeformAttnPixelDecoder" -> GkcModelConfig.PixelDecoderType.MSDEFORMATTN;
            case "BasePixelDecoder" -> GkcModelConfig.PixelDecoderType.FPN;
            default -> throw GkcException.of("%s: pixel decoder %s is not supported", file, decoderName);
        };
        String norm = head.path("NORM").asText("GN");
        if (!norm.equals("GN")) {
            throw GkcException.of("%s: SEM_SEG_HEAD.NORM %s is not supported (GN only)", file, norm);
        }
        int convDim = head.path("CONVS_DIM").asInt(256);
        int hidden = mf.path("HIDDEN_DIM").asInt(256);
        if (mf.path("ENFORCE_INPUT_PROJ").asBoolean(false) || hidden != convDim) {
            throw GkcException.of("%s: a decoder input projection (HIDDEN_DIM %d != CONVS_DIM %d) is not supported", file, hidden, convDim);
        }
        if (mf.path("PRE_NORM").asBoolean(false)) {
            throw GkcException.of("%s: MASK_FORMER.PRE_NORM true (pre-norm decoder layers) is not supported; Mask2Former and GKC use post-norm", file);
        }
        int heads = mf.path("NHEADS").asInt(8);
        return new GkcModelConfig(
                new GkcModelConfig.Backbone(layers, res.path("WIDTH").asInt(64), true),
                // the authors' MSDeformAttnPixelDecoder hard-codes 4 points per head and an FFN width of 1024
                new GkcModelConfig.PixelDecoder(type, convDim, head.path("MASK_DIM").asInt(256), head.path("TRANSFORMER_ENC_LAYERS").asInt(6),
                        heads, 4, 1024, 32, 4, 32),
                new GkcModelConfig.Decoder(hidden, mf.path("NUM_OBJECT_QUERIES").asInt(100), heads,
                        mf.path("DIM_FEEDFORWARD").asInt(2048), mf.path("DEC_LAYERS").asInt(10), 0, 0),
                new GkcModelConfig.Head(text.path("EMBED_DIM").asInt(res.path("OUTPUT_DIM").asInt(1024)), Math.log(1 / 0.07),
                        m.path("LEARNED_TEMP").asBoolean(true), Math.pow(512, -0.5)));
    }

    private static void mergeWithBases(ObjectNode into, Path file, int depth) {
        if (depth > 16) {
            throw GkcException.of("%s: _BASE_ chain too deep", file);
        }
        JsonNode node = Configs.readTree(file);
        if (!node.isObject()) {
            throw GkcException.of("%s is not a detectron2 config mapping", file);
        }
        JsonNode base = node.get("_BASE_");
        if (base != null) {
            mergeWithBases(into, file.toAbsolutePath().getParent().resolve(base.asText()), depth + 1);
        }
        deepMerge(into, (ObjectNode) node);
    }

    private static void deepMerge(ObjectNode into, ObjectNode from) {
        from.fields().forEachRemaining(e -> {
            if (e.getKey().equals("_BASE_")) {
                return;
            }
            JsonNode cur = into.get(e.getKey());
            if (cur != null && cur.isObject() && e.getValue().isObject()) {
                deepMerge((ObjectNode) cur, (ObjectNode) e.getValue());
            } else {
                into.set(e.getKey(), e.getValue().deepCopy());
            }
        });
    }
}
