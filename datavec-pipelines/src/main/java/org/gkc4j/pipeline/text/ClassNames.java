package org.gkc4j.pipeline.text;

import org.gkc4j.GkcException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Class-name lists and the authors' name cleanup.
 *
 * <p>A classes file is UTF-8 TSV: a header line with a {@code name} column (for example {@code index<TAB>name} or
 * {@code index<TAB>dataset_id<TAB>name<TAB>isthing}), then one row per class with the same number of fields. When
 * there is an {@code index} column it must count 0, 1, 2, ... in file order.
 */
public final class ClassNames {
    private ClassNames() {
    }

    /**
     * The authors' {@code process_coco_cat}: drops {@code -merged} and {@code -other}, then turns the remaining
     * hyphens into spaces ({@code wall-other-merged -> wall}, {@code door-stuff -> door stuff}).
     */
    public static String processCocoCat(String name) {
        return name.replace("-merged", "").replace("-other", "").replace('-', ' ').strip();
    }

    /** The class names of a classes file, in file order. */
    public static List<String> readTsv(Path file) {
        String text = readUtf8(file);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        lines.replaceAll(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        GkcException.check(!lines.isEmpty(), "classes file %s is empty (expected a header line with a 'name' column)", file);
        List<String> header = Arrays.asList(lines.get(0).split("\t", -1));
        int nameCol = header.indexOf("name");
        GkcException.check(nameCol >= 0, "classes file %s: the header line must have a 'name' column; found %s", file, header);
        int indexCol = header.indexOf("index");
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < lines.size(); i++) {
            int lineNo = i + 1;
            String[] fields = lines.get(i).split("\t", -1);
            GkcException.check(fields.length == header.size(), "classes file %s line %d: expected %d tab-separated fields (%s), found %d",
                    file, lineNo, header.size(), String.join(", ", header), fields.length);
            if (indexCol >= 0) {
                String idx = fields[indexCol].strip();
                GkcException.check(idx.equals(Integer.toString(names.size())), "classes file %s line %d: index '%s' should be %d (indices count 0, 1, 2, ... in file order)",
                        file, lineNo, idx, names.size());
            }
            String name = fields[nameCol].strip();
            GkcException.check(!name.isEmpty(), "classes file %s line %d: the class name is empty", file, lineNo);
            GkcException.check(seen.add(name), "classes file %s line %d: class name '%s' appears twice", file, lineNo, name);
            names.add(name);
        }
        GkcException.check(!names.isEmpty(), "classes file %s has a header but no classes", file);
        return names;
    }

    private static String readUtf8(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw GkcException.of("classes file not found: %s", file);
        } catch (CharacterCodingException e) {
            throw GkcException.of("classes file %s is not UTF-8", file);
        } catch (IOException e) {
            throw GkcException.of("cannot read classes file %s: %s", file, e.getMessage());
        }
    }
}
