package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A dataset's class list, loaded from {@code classnames/<key>.tsv} on the classpath: a header naming the columns
 * ({@code index}, {@code name}, optionally {@code dataset_id} and {@code isthing}), then one class per line in
 * contiguous-index order. {@code datasetIds} holds the dataset's own id of each class, or -1 where the list has none.
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

    /** The list shipped with gkc4j ({@code coco-panoptic-133}, {@code ade20k-150}, ...). */
    public static ClassNames load(String key) {
        return CACHE.computeIfAbsent(key, ClassNames::read);
    }

    private static ClassNames read(String key) {
        Table t = table(key);
        int iIndex = t.column("index"), iName = t.column("name"), iId = t.column("dataset_id");
        GkcException.check(iIndex >= 0 && iName >= 0, "class list %s lacks an index or name column", t.resource());
        List<String> names = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int r = 0; r < t.rows().size(); r++) {
            List<String> cols = t.rows().get(r);
            GkcException.check(Integer.parseInt(cols.get(iIndex)) == names.size(), "class list %s row %d: expected index %d", t.resource(), r + 1, names.size());
            names.add(cols.get(iName));
            ids.add(iId >= 0 ? Integer.parseInt(cols.get(iId)) : -1);
        }
        return new ClassNames(key, names, ids.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A shipped class list's raw rows, for readers that need more columns than the names (e.g. a seen/unseen split). */
    record Table(String resource, List<String> header, List<List<String>> rows) {
        Table {
            header = List.copyOf(header);
            rows = rows.stream().map(List::copyOf).toList();
        }

        /** The column's position, or -1 when the list has no such column. */
        int column(String name) {
            return header.indexOf(name);
        }
    }

    /** Reads {@code classnames/<key>.tsv}: every non-empty line after the header must have the header's column count. */
    static Table table(String key) {
        String resource = "classnames/" + key + ".tsv";
        String text;
        try (InputStream in = ClassNames.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw GkcException.of("no class list named %s (looked for %s on the classpath)", key, resource);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw GkcException.of("cannot read class list %s: %s", resource, e.getMessage());
        }
        String[] lines = text.split("\r?\n");
        List<String> header = Arrays.asList(lines[0].split("\t"));
        List<List<String>> rows = new ArrayList<>();
        for (int l = 1; l < lines.length; l++) {
            if (lines[l].isEmpty()) {
                continue;
            }
            String[] cols = lines[l].split("\t", -1);
            GkcException.check(cols.length == header.size(), "class list %s line %d: expected %d columns", resource, l + 1, header.size());
            rows.add(Arrays.asList(cols));
        }
        return new Table(resource, header, rows);
    }
}
