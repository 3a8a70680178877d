package org.gkc4j.experiments.notebooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.gkc4j.GkcException;
import org.gkc4j.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's Java kernel for Jupyter (rapaio-jupyter-kernel, which runs cells with JShell inside its own JVM) and
 * the Jupyter folders it lives in. Everything Jupyter reads or writes goes under one folder of the project
 * ({@code jupyterDir}), so an install touches nothing in the user's home.
 */
public final class JupyterKernel {
    /** The kernel's name in notebooks' {@code kernelspec} and in Jupyter's kernel list. */
    public static final String NAME = "gkc4j-java";
    public static final String DISPLAY_NAME = "Java (gkc4j)";
    public static final String GROUP = "io.github.padreati";
    public static final String ARTIFACT = "rapaio-jupyter-kernel";
    /** Also in notebooks-java/pom.xml, which fetches the same jar for the tests (JupyterNotebooksTest checks they agree). */
    public static final String VERSION = "3.0.1";

    private JupyterKernel() {
    }

    public static String jarName() {
        return ARTIFACT + "-" + VERSION + ".jar";
    }

    /** Maven coordinates, as {@code dependency:copy -Dartifact=} takes them. */
    public static String coordinates() {
        return GROUP + ":" + ARTIFACT + ":" + VERSION;
    }

    public static Path kernelDir(Path jupyterDir) {
        return jupyterDir.resolve("kernels").resolve(NAME);
    }

    /**
     * Writes the kernel spec: the kernel runs {@code java <jvmOptions> -jar kernelJar}; its JShell sees
     * {@code classpath}; {@code env} is added to the kernel's environment (thread counts, say).
     */
    public static Path install(Path jupyterDir, Path kernelJar, List<String> classpath, List<String> jvmOptions, Map<String, String> env) {
        if (!Files.isRegularFile(kernelJar)) {
            throw GkcException.of("the Jupyter kernel jar is missing: %s", kernelJar);
        }
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(jvmOptions);
        argv.add("-jar");
        argv.add(kernelJar.toAbsolutePath().toString());
        argv.add("{connection_file}");
        Map<String, String> kernelEnv = new LinkedHashMap<>(env);
        // the kernel splits its class path at ';' whatever the platform
        kernelEnv.put("RJK_CLASSPATH", String.join(";", classpath));
        // where its %dependency magic would cache Maven artifacts: inside the project, not in the user's home
        kernelEnv.put("RJK_MIMA_CACHE", jupyterDir.resolve("mima").toAbsolutePath().toString());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", DISPLAY_NAME);
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("env", kernelEnv);
        Path file = kernelDir(jupyterDir).resolve("kernel.json");
        try {
            AtomicFiles.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(spec));
        } catch (IOException e) {
            throw GkcException.of("cannot write %s: %s", file, e.getMessage());
        }
        return file;
    }

    /** The environment that makes Jupyter find this kernel and keep its runtime, config and data files in {@code jupyterDir}. */
    public static Map<String, String> jupyterEnv(Path jupyterDir) {
        Path d = jupyterDir.toAbsolutePath();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JUPYTER_PATH", d.toString());
        env.put("JUPYTER_DATA_DIR", d.resolve("data").toString());
        env.put("JUPYTER_RUNTIME_DIR", d.resolve("runtime").toString());
        env.put("JUPYTER_CONFIG_DIR", d.resolve("config").toString());
        env.put("IPYTHONDIR", d.resolve("ipython").toString());
        // Debian's Python 3.11 prints a debugger warning about frozen modules at every start; it concerns no Java kernel
        env.put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
        return env;
    }
}
