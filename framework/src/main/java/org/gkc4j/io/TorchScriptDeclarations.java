package org.gkc4j.io;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which attributes of each TorchScript module class are parameters or buffers, as the archive's {@code code/} files
 * declare them ({@code __parameters__ = [...]}, {@code __buffers__ = [...]} under {@code class Name(Module):}). The
 * files are scanned as text for those two lines; nothing in them is interpreted otherwise.
 */
final class TorchScriptDeclarations {
    private static final long MAX_CODE_FILE_BYTES = 16L << 20;
    private static final int MAX_CODE_FILES = 100_000;
    private static final Pattern CLASS = Pattern.compile("^class\\s+(\\w+)\\s*\\(");
    private static final Pattern DECLARED = Pattern.compile("^\\s+__(parameters|buffers)__\\s*=\\s*\\[(.*)]\\s*$");
    private static final Pattern QUOTED = Pattern.compile("\"(\\w+)\"");

    private final Map<String, Set<String>> stateNames;

    private TorchScriptDeclarations(Map<String, Set<String>> stateNames) {
        this.stateNames = stateNames;
    }

    static TorchScriptDeclarations read(BoundedZip zip, String prefix) {
        Map<String, Set<String>> names = new HashMap<>();
        String codeDir = prefix + "code/";
        int files = 0;
        for (String entry : zip.names()) {
            if (!entry.startsWith(codeDir) || !entry.endsWith(".py")) {
                continue;
            }
            if (++files > MAX_CODE_FILES) {
                break;
            }
            String module = entry.substring(codeDir.length(), entry.length() - 3).replace('/', '.');
            String text = new String(zip.read(entry, MAX_CODE_FILE_BYTES), StandardCharsets.UTF_8);
            String current = null;
            for (String line : text.split("\n")) {
                Matcher c = CLASS.matcher(line);
                if (c.find()) {
                    current = module + "." + c.group(1);
                    continue;
                }
                Matcher d = DECLARED.matcher(line);
                if (current != null && d.find()) {
                    Set<String> declared = names.computeIfAbsent(current, k -> new LinkedHashSet<>());
                    Matcher q = QUOTED.matcher(d.group(2));
                    while (q.find()) {
                        declared.add(q.group(1));
                    }
                }
            }
        }
        return new TorchScriptDeclarations(names);
    }

    /** The parameter and buffer names of a class, or empty when the archive does not declare the class. */
    Optional<Set<String>> stateNames(String className) {
        return Optional.ofNullable(stateNames.get(className));
    }
}
