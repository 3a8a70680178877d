package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Listing a release's input files: sorted folder listings and id lists, bounded and checked. */
final class InputFiles {
    /** Far above any benchmark's id list (COCO train2017: 118,287 ids, about 1.5 MB). */
    static final long MAX_LIST_BYTES = 64L << 20;

    private InputFiles() {
    }

    /** The regular files of {@code dir} whose names end with {@code suffix}, sorted by name. */
    static List<Path> list(Path dir, String suffix) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + suffix)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw GkcException.of("cannot list %s: %s", dir, e.getMessage());
        }
        out.sort(null);
        return out;
    }

    /** The ids of a split list (one per line, blank lines ignored); an id that is not a plain name is an error. */
    static List<String> ids(Path list) {
        try {
            if (!Files.isRegularFile(list)) {
                throw GkcException.of("split list not found: %s", list);
            }
            if (Files.size(list) > MAX_LIST_BYTES) {
                throw GkcException.of("split list %s is larger than %d bytes", list, MAX_LIST_BYTES);
            }
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
                String id = line.strip();
                if (id.isEmpty()) {
                    continue;
                }
                if (!id.matches("[A-Za-z0-9_.-]+") || id.contains("..")) {
                    throw GkcException.of("split list %s holds '%s', which is not an image id", list, id);
                }
                out.add(id);
            }
            return out;
        } catch (IOException e) {
            throw GkcException.of("cannot read %s: %s", list, e.getMessage());
        }
    }

    static String stem(Path file, String suffix) {
        String n = file.getFileName().toString();
        return n.endsWith(suffix) ? n.substring(0, n.length() - suffix.length()) : n;
    }
}
