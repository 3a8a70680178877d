package org.gkc4j.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.experiments.notebooks.JupyterKernel;
import org.gkc4j.experiments.notebooks.NotebookRunner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Executes every notebook through Jupyter (Debian's jupyter-nbconvert) and the project's kernel, as
 * {@code ./gkc notebooks run} does: no cell may end in an error and every code cell must have run. Skipped, saying
 * why, where jupyter-nbconvert is not installed, except in CI (CI=true), where .ci/run installs it.
 */
class JupyterNotebooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODULE = Path.of(".").toAbsolutePath().normalize();
    private static final Path JUPYTER = MODULE.resolve("target/jupyter");

    @Test
    void theKernelFetchedByMavenIsTheOneTheCommandLineInstalls() {
        assertEquals(JupyterKernel.VERSION, System.getProperty("rapaio.kernel.version"));
    }

    @TestFactory
    Stream<DynamicTest> everyNotebookRunsInJupyter() {
        NotebookRunner runner = runner();
        List<Path> notebooks = NotebookRunner.notebooks(MODULE);
        assertFalse(notebooks.isEmpty(), "no notebooks in " + MODULE);
        Path out = MODULE.resolve("target/executed-notebooks");
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> {
            NotebooksTest.assumeSharedIfRequired(nb);
            NotebookRunner.Outcome r = runner.run(nb, out);
            System.out.printf("%s: %.1f s, %d kernel start(s)%n", nb.getFileName(), r.seconds(), r.starts());
            if (!r.ok()) {
                fail(nb.getFileName() + " has error cells (executed copy: " + r.executed() + "):\n" + String.join("\n", r.errors()));
            }
            assertEveryCodeCellRan(r.executed());
        }));
    }

    /** The runner must see a failing cell: a notebook whose second cell throws is reported as such. */
    @Test
    void aCellThatThrowsIsReported() throws IOException {
        NotebookRunner runner = runner();
        Path dir = Files.createDirectories(MODULE.resolve("target/failing-notebook"));
        Path nb = dir.resolve("failing.ipynb");
        Files.writeString(nb, """
                {"cells": [
                  {"cell_type": "code", "id": "a", "metadata": {}, "execution_count": null, "outputs": [], "source": ["int x = 6 * 7;"]},
                  {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": null, "outputs": [],
                   "source": ["if (x == 42) throw new IllegalStateException(\\"deliberate \\" + x);"]}],
                 "metadata": {"kernelspec": {"name": "gkc4j-java", "display_name": "Java (gkc4j)", "language": "java"}},
                 "nbformat": 4, "nbformat_minor": 5}
                """);
        NotebookRunner.Outcome r = runner.run(nb, dir.resolve("out"));
        assertEquals(1, r.errors().size(), "errors: " + r.errors());
        assertTrue(r.errors().get(0).startsWith("cell 2: ") && r.errors().get(0).contains("deliberate 42"), r.errors().get(0));
    }

    private static void assertEveryCodeCellRan(Path executed) throws IOException {
        int cellNo = 0;
        for (JsonNode cell : JSON.readTree(executed.toFile()).path("cells")) {
            if ("code".equals(cell.path("cell_type").asText())) {
                cellNo++;
                assertTrue(cell.path("execution_count").isInt(), executed.getFileName() + ": code cell " + cellNo + " did not run");
            }
        }
    }

    /** Installs the kernel for this test's class path into target/jupyter, or skips (fails in CI) where Jupyter is missing. */
    private static NotebookRunner runner() {
        Optional<Path> nbconvert = NotebookRunner.findNbconvert();
        Path jar = JUPYTER.resolve(JupyterKernel.jarName());
        String why = nbconvert.isEmpty() ? "jupyter-nbconvert is not on the PATH (Debian: apt-get install jupyter-nbconvert)"
                : !Files.isRegularFile(jar) ? "the kernel jar " + jar + " is missing (Maven copies it at generate-test-resources)" : null;
        if (why != null) {
            if ("true".equalsIgnoreCase(String.valueOf(System.getenv("CI")).trim())) {
                throw new AssertionError(why + "; CI=true, so this fails instead of skipping (.ci/run installs jupyter-nbconvert)");
            }
            Assumptions.assumeTrue(false, why);
        }
        List<String> classpath = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                classpath.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        List<String> jvm = new ArrayList<>(List.of("-Xmx3g", "-Dgkc.home=" + MODULE.getParent(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.org.nd4j.imports=error",
                "-Dorg.slf4j.simpleLogger.log.org.nd4j.autodiff.functions.DifferentialFunction=error"));
        for (String p : List.of("gkc.shared.dir", "gkc.executor", "org.bytedeco.javacpp.cachedir", "jna.tmpdir")) {
            String v = System.getProperty(p);
            if (v != null) {
                jvm.add("-D" + p + "=" + v);
            }
        }
        JupyterKernel.install(JUPYTER, jar, classpath, jvm, Map.of("OMP_NUM_THREADS", "2", "OMP_WAIT_POLICY", "PASSIVE"));
        return new NotebookRunner(JUPYTER, nbconvert.get());
    }
}
