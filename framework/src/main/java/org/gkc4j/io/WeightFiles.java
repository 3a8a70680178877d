package org.gkc4j.io;

import org.gkc4j.GkcException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Opens a weights file in whichever format it is, decided by its first bytes (never by its name): a zip archive is a
 * PyTorch checkpoint ({@link TorchCheckpoint}: {@code torch.save} state dicts, detectron2-style checkpoints,
 * TorchScript archives such as OpenAI's CLIP files), an 8-byte length followed by a JSON object safetensors. PyTorch's
 * legacy non-zip format is refused with what to do instead.
 */
public final class WeightFiles {
    private static final int MAGIC_BYTES = 512;

    /** Every tensor and the metadata of a weights file, read at once. */
    public record Contents(LinkedHashMap<String, INDArray> tensors, Map<String, String> metadata) {
    }

    private WeightFiles() {
    }

    public static TensorFile open(Path path) {
        byte[] head = head(path);
        if (head.length == 0) {
            throw GkcException.of("%s is empty, not a weights file", path);
        }
        if (startsWith(head, 'P', 'K', 3, 4) || startsWith(head, 'P', 'K', 5, 6)) {
            return TorchCheckpoint.open(path);
        }
        if (looksLikeSafetensors(head)) {
            return Safetensors.open(path);
        }
        if (isLegacyTorch(head)) {
            throw GkcException.of("%s is a PyTorch file in the legacy (before PyTorch 1.6) non-zip format, which is not read here:"
                    + " re-save it with a recent PyTorch (torch.save(torch.load(f), 'new.pt')) or convert it to safetensors", path);
        }
        if (path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            return Safetensors.open(path);   // damaged: its reader says how
        }
        throw GkcException.of("%s is neither a PyTorch zip checkpoint nor a safetensors file (it starts with %s)", path,
                HexFormat.ofDelimiter(" ").formatHex(head, 0, Math.min(8, head.length)));
    }

    /** Reads every tensor (half precision widened to FLOAT) and the metadata. */
    public static Contents readAll(Path path) {
        try (TensorFile f = open(path)) {
            return new Contents(f.readAll(), f.metadata());
        }
    }

    private static byte[] head(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(MAGIC_BYTES);
        } catch (NoSuchFileException e) {
            throw GkcException.of("weights file not found: %s", path);
        } catch (IOException e) {
            throw GkcException.of("cannot open %s: %s", path, e.getMessage());
        }
    }

    private static boolean startsWith(byte[] b, int... magic) {
        if (b.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** An 8-byte little-endian header length, then a JSON object. */
    private static boolean looksLikeSafetensors(byte[] b) {
        return b.length > 8 && b[8] == '{' && b[6] == 0 && b[7] == 0;
    }

    /**
     * The legacy torch.save format: a pickle (PROTO 2 to 5) whose first value is PyTorch's magic number, a LONG1; or
     * the oldest, a tar archive ("ustar" at byte 257).
     */
    private static boolean isLegacyTorch(byte[] b) {
        boolean pickle = b.length >= 3 && (b[0] & 0xff) == 0x80 && b[1] >= 2 && b[1] <= 5 && (b[2] & 0xff) == 0x8a;
        boolean tar = b.length >= 262 && b[257] == 'u' && b[258] == 's' && b[259] == 't' && b[260] == 'a' && b[261] == 'r';
        return pickle || tar;
    }
}
