package org.gkc4j.util;

import org.gkc4j.GkcException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** UTF-8 texts files: one text per line; an empty line is the empty text; a final newline ends the last line. */
public final class TextFiles {
    private TextFiles() {
    }

    public static List<String> readLines(Path file) {
        String all;
        try {
            all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            throw GkcException.of("texts file not found: %s", file);
        } catch (CharacterCodingException e) {
            throw GkcException.of("texts file %s is not UTF-8", file);
        } catch (IOException e) {
            throw GkcException.of("cannot read %s: %s", file, e.getMessage());
        }
        List<String> lines = new ArrayList<>(Arrays.asList(all.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        lines.replaceAll(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        return lines;
    }
}
