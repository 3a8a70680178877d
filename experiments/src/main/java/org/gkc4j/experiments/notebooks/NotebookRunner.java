package org.gkc4j.experiments.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.GkcException;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Executes notebooks headlessly with Jupyter's {@code nbconvert} and the project's kernel ({@link JupyterKernel}):
 * the executed copy, outputs included, is written under an output folder with the notebook's file name, and every
 * cell that ended in an error is reported.
 *
 * <p>The kernel sometimes never answers Jupyter's first request after it starts (a start-up race in the kernel, about
 * one start in five here); such a start is abandoned after {@link #startupTimeout} and the notebook is run again from
 * a fresh kernel, up to {@link #maxStarts} times. Errors in cells are never retried.
 */
public final class NotebookRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String START_FAILURE_1 = "Kernel didn't respond";
    private static final String START_FAILURE_2 = "Kernel died before replying";

    /** One executed notebook: where its copy is, the cells that failed ("cell 3: Exception: ..."), how many kernel starts it took. */
    public record Outcome(Path notebook, Path executed, List<String> errors, int starts, double seconds) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private final Path jupyterDir;
    private final Path nbconvert;
    private Duration startupTimeout = Duration.ofSeconds(20);
    private Duration cellTimeout = Duration.ofMinutes(15);
    private int maxStarts = 5;

    public NotebookRunner(Path jupyterDir, Path nbconvert) {
        this.jupyterDir = jupyterDir;
        this.nbconvert = nbconvert;
    }

    public NotebookRunner startupTimeout(Duration d) {
        this.startupTimeout = d;
        return this;
    }

    public NotebookRunner cellTimeout(Duration d) {
        this.cellTimeout = d;
        return this;
    }

    public NotebookRunner maxStarts(int n) {
        this.maxStarts = n;
        return this;
    }

    /** {@code jupyter-nbconvert} on the PATH (Debian's package installs it there), if any. */
    public static Optional<Path> findNbconvert() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, "jupyter-nbconvert");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The notebooks of a folder, by name. */
    public static List<Path> notebooks(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ipynb")).sorted().toList();
        } catch (IOException e) {
            throw GkcException.of("cannot list notebooks in %s: %s", folder, e.getMessage());
        }
    }

    /** Executes one notebook into {@code outDir}; the notebook's own folder is the kernel's working directory. */
    public Outcome run(Path notebook, Path outDir) {
        long t0 = System.nanoTime();
        Path executed = outDir.resolve(notebook.getFileName());
        Path log;
        try {
            Files.createDirectories(outDir);
            Files.createDirectories(jupyterDir);
            log = Files.createTempFile(jupyterDir, "nbconvert-", ".log");
        } catch (IOException e) {
            throw GkcException.of("cannot create %s: %s", outDir, e.getMessage());
        }
        try {
            for (int start = 1; ; start++) {
                int exit = nbconvert(notebook, outDir, log);
                String text = Files.readString(log, StandardCharsets.UTF_8);
                boolean startFailed = text.contains(START_FAILURE_1) || text.contains(START_FAILURE_2);
                if (exit == 0) {
                    return new Outcome(notebook, executed, cellErrors(executed), start, (System.nanoTime() - t0) / 1e9);
                }
                if (!startFailed || start >= maxStarts) {
                    String why = startFailed ? "the kernel did not answer in " + start + " starts" : "nbconvert exited with " + exit;
                    return new Outcome(notebook, executed, List.of(why + ": " + lastLines(text, 6)), start, (System.nanoTime() - t0) / 1e9);
                }
            }
        } catch (IOException e) {
            throw GkcException.of("cannot run %s: %s", notebook, e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a leftover log in target/ harms nothing
            }
        }
    }

    private int nbconvert(Path notebook, Path outDir, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(nbconvert.toString(), "--to", "notebook", "--execute", "--allow-errors",
                "--ExecutePreprocessor.kernel_name=" + JupyterKernel.NAME,
                "--ExecutePreprocessor.startup_timeout=" + startupTimeout.toSeconds(),
                "--ExecutePreprocessor.timeout=" + cellTimeout.toSeconds(),
                // no per-cell timestamps: re-running an unchanged notebook leaves its file unchanged
                "--ExecutePreprocessor.record_timing=False",
                "--output-dir", outDir.toAbsolutePath().toString(),
                "--output", notebook.getFileName().toString(),
                notebook.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(JupyterKernel.jupyterEnv(jupyterDir));
        pb.directory(notebook.toAbsolutePath().getParent().toFile());
        Process p = pb.start();
        try {
            // every cell has its own timeout inside nbconvert; this only guards against a hung Jupyter
            long limit = cellTimeout.toSeconds() * Math.max(1, countCodeCells(notebook)) + startupTimeout.toSeconds() + 120;
            if (!p.waitFor(limit, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw GkcException.of("%s: nbconvert did not finish in %d s", notebook, limit);
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw GkcException.of("interrupted while running %s", notebook);
        }
    }

    private static int countCodeCells(Path notebook) throws IOException {
        int n = 0;
        for (JsonNode cell : JSON.readTree(notebook.toFile()).path("cells")) {
            if ("code".equals(cell.path("cell_type").asText())) {
                n++;
            }
        }
        return n;
    }

    /** "cell N: name: value" for every error output of an executed notebook (cells counted among code cells, from 1). */
    public static List<String> cellErrors(Path executed) throws IOException {
        List<String> errors = new ArrayList<>();
        int cellNo = 0;
        for (JsonNode cell : JSON.readTree(executed.toFile()).path("cells")) {
            if (!"code".equals(cell.path("cell_type").asText())) {
                continue;
            }
            cellNo++;
            for (JsonNode out : cell.path("outputs")) {
                if ("error".equals(out.path("output_type").asText())) {
                    StringBuilder tb = new StringBuilder();
                    out.path("traceback").forEach(l -> tb.append(l.asText()).append('\n'));
                    String detail = plain(out.path("evalue").asText());
                    if (detail.isBlank()) {
                        detail = lastLines(plain(tb.toString()), 4);
                    }
                    errors.add(String.format(Locale.ROOT, "cell %d: %s: %s", cellNo, plain(out.path("ename").asText()), detail.strip()));
                }
            }
        }
        return errors;
    }

    /** Drops terminal colour codes, which the kernel puts in its error texts. */
    static String plain(String s) {
        return s.replaceAll("\u001B\\[[0-9;]*m", "");
    }

    private static String lastLines(String text, int n) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
