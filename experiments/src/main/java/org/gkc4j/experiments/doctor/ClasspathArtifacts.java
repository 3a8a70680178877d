package org.gkc4j.experiments.doctor;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

/**
 * The Maven artifacts on this JVM's class path, read from each jar's {@code META-INF/maven/.../pom.properties}, and
 * the version conflicts among DL4J's artifacts: two versions of one artifact, or ND4J / DataVec / DL4J artifacts
 * of more than one release (Arbiter excepted: its last release is 1.0.0-beta7). Mixed releases load, then fail
 * far from the cause (a serialisation or a native call), so the build and {@code gkc doctor} check them.
 */
public final class ClasspathArtifacts {
    /** One artifact found in {@code jar}. */
    public record Artifact(String group, String artifact, String version, String jar) {
        public String key() {
            return group + ":" + artifact;
        }
    }

    private static final Pattern POM = Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");
    private static final Set<String> FAMILY = Set.of("org.nd4j", "org.datavec", "org.deeplearning4j");

    private ClasspathArtifacts() {
    }

    /** The artifacts of DL4J's groups on {@code java.class.path} (and the Class-Path of its jars' manifests). */
    public static List<Artifact> scan() {
        List<Artifact> out = new ArrayList<>();
        for (Path jar : jars(System.getProperty("java.class.path", ""))) {
            out.addAll(artifactsIn(jar));
        }
        return out;
    }

    /** One line per conflict; empty when DL4J's artifacts come from one release. */
    public static List<String> conflicts(List<Artifact> artifacts) {
        Map<String, Set<String>> versions = new TreeMap<>();
        Map<String, Set<String>> release = new TreeMap<>();
        for (Artifact a : artifacts) {
            versions.computeIfAbsent(a.key(), k -> new TreeSet<>()).add(a.version() + " (" + a.jar() + ")");
            if (!a.artifact().startsWith("arbiter")) {
                release.computeIfAbsent(a.version(), k -> new TreeSet<>()).add(a.key());
            }
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : versions.entrySet()) {
            Set<String> v = new TreeSet<>();
            e.getValue().forEach(s -> v.add(s.substring(0, s.indexOf(' '))));
            if (v.size() > 1) {
                problems.add(e.getKey() + " in " + v.size() + " versions: " + String.join(", ", e.getValue()));
            }
        }
        if (release.size() > 1) {
            StringBuilder sb = new StringBuilder("ND4J/DataVec/DL4J artifacts of " + release.size() + " releases:");
            release.forEach((v, keys) -> sb.append(' ').append(v).append(' ').append(keys));
            problems.add(sb.toString());
        }
        return problems;
    }

    /** The single ND4J/DataVec/DL4J release on the class path (Arbiter aside), or null when there is none or several. */
    public static String release(List<Artifact> artifacts) {
        Set<String> v = new TreeSet<>();
        artifacts.stream().filter(a -> !a.artifact().startsWith("arbiter")).forEach(a -> v.add(a.version()));
        return v.size() == 1 ? v.iterator().next() : null;
    }

    static List<Artifact> artifactsIn(Path jar) {
        List<Artifact> out = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> en = jf.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                var m = POM.matcher(e.getName());
                if (!m.matches() || !FAMILY.contains(m.group(1))) {
                    continue;
                }
                Properties p = new Properties();
                try (InputStream in = jf.getInputStream(e)) {
                    p.load(in);
                }
                out.add(new Artifact(p.getProperty("groupId", m.group(1)), p.getProperty("artifactId", m.group(2)),
                        p.getProperty("version", "?"), jar.getFileName().toString()));
            }
        } catch (IOException e) {
            // not a jar (a classes folder) or unreadable: nothing to report from it
        }
        return out;
    }

    /** The jars of a class path, with the jars their manifests' Class-Path names (surefire's and the CLI's own jar). */
    static Set<Path> jars(String classPath) {
        Set<Path> out = new LinkedHashSet<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            addWithManifest(Path.of(entry).toAbsolutePath().normalize(), out);
        }
        return out;
    }

    private static void addWithManifest(Path jar, Set<Path> out) {
        if (!Files.isRegularFile(jar) || !jar.toString().endsWith(".jar") || !out.add(jar)) {
            return;
        }
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest mf = jf.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (cp == null) {
                return;
            }
            for (String ref : cp.trim().split("\\s+")) {
                try {
                    java.net.URI uri = jar.getParent().toUri().resolve(ref);
                    addWithManifest(Path.of(uri).normalize(), out);
                } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                    // a reference that is not a local file
                }
            }
        } catch (IOException e) {
            // unreadable: skipped
        }
    }
}
