package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Class-name lists and the authors' name cleanup. A list is UTF-8 TSV: a header line naming the columns (a {@code
 * name} column, and optionally {@code index}, which must count 0, 1, 2, ... in file order, {@code dataset_id},
 * {@code isthing}, ...), then one class per row with the header's number of fields. The lists shipped with gkc4j
 * ({@code classnames/<key>.tsv} on the classpath) and a user's classes file are read by the same parser.
 * {@code datasetIds} holds the dataset's own id of each class, or -1 where the list has none.
 */
public record ClassNames(String key, List<String> names, int[] datasetIds) {
    private static final Map<String, ClassNames> CACHE = new ConcurrentHashMap<>();

    public ClassNames {
        names = List.copyOf(names);
        datasetIds = datasetIds.clone();
        if (datasetIds.length != names.size()) {
            throw new IllegalArgumentException("class list " + key + ": " + names.size() + " names, " + datasetIds.length + " ids");
        }
    }

    public int size() {
        return names.size();
    }

    public String name(int index) {
        return names.get(index);
    }

    /**
     * The authors' {@code process_coco_cat}: drops {@code -merged} and {@code -other}, then turns the remaining
     * hyphens into spaces ({@code wall-other-merged -> wall}, {@code door-stuff -> door stuff}).
     */
    public static String processCocoCat(String name) {
        return name.replace("-merged", "").replace("-other", "").replace('-', ' ').strip();
    }

    /** The list shipped with gkc4j ({@code coco-panoptic-133}, {@code ade20k-150}, ...). */
    public static ClassNames load(String key) {
        return CACHE.computeIfAbsent(key, k -> {
            Table t = table(k);
            GkcException.check(t.column("index") >= 0, "class list %s lacks an index column", t.source());
            return of(k, t, false);
        });
    }

    /** The class names of a user's classes file, in file order (names must be unique: they key synonym tables). */
    public static List<String> readTsv(Path file) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw GkcException.of("classes file not found: %s", file);
        } catch (CharacterCodingException e) {
            throw GkcException.of("classes file %s is not UTF-8", file);
        } catch (IOException e) {
            throw GkcException.of("cannot read classes file %s: %s", file, e.getMessage());
        }
        Table t = parse("classes file " + file, text);
        GkcException.check(!t.rows().isEmpty(), "classes file %s has a header but no classes", file);
        return of(file.toString(), t, true).names();
    }

    private static ClassNames of(String key, Table t, boolean unique) {
        int iIndex = t.column("index"), iName = t.column("name"), iId = t.column("dataset_id");
        GkcException.check(iName >= 0, "%s: the header line must have a 'name' column; found %s", t.source(), t.header());
        List<String> names = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int r = 0; r < t.rows().size(); r++) {
            List<String> cols = t.rows().get(r);
            int line = r + 2;
            if (iIndex >= 0) {
                String idx = cols.get(iIndex).strip();
                GkcException.check(idx.equals(Integer.toString(names.size())), "%s line %d: index '%s' should be %d (indices count 0, 1, 2, ... in file order)",
                        t.source(), line, idx, names.size());
            }
            String name = cols.get(iName).strip();
            GkcException.check(!name.isEmpty(), "%s line %d: the class name is empty", t.source(), line);
            GkcException.check(!unique || seen.add(name), "%s line %d: class name '%s' appears twice", t.source(), line, name);
            names.add(name);
            try {
                ids.add(iId >= 0 ? Integer.parseInt(cols.get(iId).strip()) : -1);
            } catch (NumberFormatException e) {
                throw GkcException.of("%s line %d: dataset_id '%s' is not a number", t.source(), line, cols.get(iId));
            }
        }
        return new ClassNames(key, names, ids.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A class list's raw rows, for readers that need more columns than the names (e.g. a seen/unseen split). */
    record Table(String source, List<String> header, List<List<String>> rows) {
        Table {
            header = List.copyOf(header);
            rows = rows.stream().map(List::copyOf).toList();
        }

        /** The column's position, or -1 when the list has no such column. */
        int column(String name) {
            return header.indexOf(name);
        }
    }

    /** Reads the shipped {@code classnames/<key>.tsv}. */
    static Table table(String key) {
        String resource = "classnames/" + key + ".tsv";
        try (InputStream in = ClassNames.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw GkcException.of("no class list named %s (looked for %s on the classpath)", key, resource);
            }
            return parse("class list " + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw GkcException.of("cannot read class list %s: %s", resource, e.getMessage());
        }
    }

    /** Header and rows; trailing empty lines are ignored, every other line must have the header's column count. */
    static Table parse(String source, String text) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        lines.replaceAll(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        GkcException.check(!lines.isEmpty(), "%s is empty (expected a header line with a 'name' column)", source);
        List<String> header = Arrays.asList(lines.get(0).split("\t", -1));
        List<List<String>> rows = new ArrayList<>();
        for (int l = 1; l < lines.size(); l++) {
            String[] cols = lines.get(l).split("\t", -1);
            GkcException.check(cols.length == header.size(), "%s line %d: expected %d tab-separated fields (%s), found %d",
                    source, l + 1, header.size(), String.join(", ", header), cols.length);
            rows.add(Arrays.asList(cols));
        }
        return new Table(source, header, rows);
    }
}
