package org.gkc4j.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Executes every code cell of every notebook in this folder with JShell, in order, in this JVM: the fast check (no
 * Jupyter needed) that the cells compile and run; {@link JupyterNotebooksTest} runs them through Jupyter itself. A
 * cell that does not compile or throws fails the notebook's test.
 */
class NotebooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyNotebookRuns() throws IOException {
        Path folder = Path.of(".").toAbsolutePath().normalize();
        List<Path> notebooks;
        try (Stream<Path> s = Files.list(folder)) {
            notebooks = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertFalse(notebooks.isEmpty(), "no notebooks found in " + folder);
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> run(nb)));
    }

    /** Skips a notebook that needs the shared fixtures where they are absent; in CI (CI=true), as testing.Shared, fails instead. */
    static void assumeSharedIfRequired(Path notebook) throws IOException {
        JsonNode root = JSON.readTree(notebook.toFile());
        if (root.path("metadata").path("gkc4j").path("requires_shared").asBoolean(false)) {
            Path shared = Path.of(System.getProperty("gkc.shared.dir", "../../shared"));
            String why = notebook.getFileName() + " needs the shared fixtures at " + shared + " (present on the team's machines and in CI)";
            if (!Files.isDirectory(shared) && "true".equalsIgnoreCase(String.valueOf(System.getenv("CI")).trim())) {
                throw new AssertionError(why + "; CI=true, so this fails instead of skipping");
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shared), why);
        }
    }

    private static void run(Path notebook) throws IOException {
        JsonNode root = JSON.readTree(notebook.toFile());
        assumeSharedIfRequired(notebook);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        try (JShell shell = JShell.builder().executionEngine("local").out(out).err(out).build()) {
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
            // the Jupyter kernel's display(...) shows images and tables in the notebook; here it only has to exist
            shell.eval("String display(Object o) { return \"display\"; }");
            shell.eval("String display(String mime, Object o) { return \"display\"; }");
            int cellNo = 0;
            for (JsonNode cell : root.get("cells")) {
                if (!"code".equals(cell.get("cell_type").asText())) {
                    continue;
                }
                cellNo++;
                StringBuilder src = new StringBuilder();
                for (JsonNode line : cell.get("source")) {
                    src.append(line.asText());
                }
                for (String snippet : split(shell, src.toString())) {
                    for (SnippetEvent ev : shell.eval(snippet)) {
                        if (ev.exception() != null) {
                            fail(notebook.getFileName() + " cell " + cellNo + " threw " + ev.exception() + "\n" + snippet + "\noutput so far:\n" + captured);
                        }
                        if (ev.status() == Snippet.Status.REJECTED) {
                            StringBuilder diag = new StringBuilder();
                            shell.diagnostics(ev.snippet()).forEach(d -> diag.append(d.getMessage(null)).append('\n'));
                            fail(notebook.getFileName() + " cell " + cellNo + " does not compile:\n" + snippet + "\n" + diag);
                        }
                    }
                }
            }
        }
        System.out.println("--- " + notebook.getFileName() + " output ---\n" + captured);
    }

    /** Splits a cell into the complete snippets JShell evaluates one at a time. */
    private static List<String> split(JShell shell, String source) {
        List<String> out = new ArrayList<>();
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String rest = source;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            String src = info.source() == null ? rest : info.source();
            out.add(src);
            rest = info.remaining();
        }
        return out;
    }
}
