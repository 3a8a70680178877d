package org.gkc4j.experiments.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NotebookRunnerTest {
    @TempDir
    Path dir;

    @Test
    void errorOutputsAreReportedWithTheirCodeCellNumberAndWithoutColourCodes() throws Exception {
        Path nb = dir.resolve("x.ipynb");
        Files.writeString(nb, """
                {"cells": [
                  {"cell_type": "markdown", "source": ["# t"]},
                  {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stderr", "text": ["warning\\n"]}]},
                  {"cell_type": "code", "outputs": [{"output_type": "error", "ename": "\\u001b[31mEvalException", "evalue": "boom",
                                                      "traceback": ["x"]}]},
                  {"cell_type": "code", "outputs": [{"output_type": "error", "ename": "CompilerException", "evalue": "",
                                                      "traceback": ["\\u001b[1mCompile error:\\u001b[0m", "cannot find symbol"]}]}],
                 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
                """);
        assertEquals(List.of("cell 2: EvalException: boom", "cell 3: CompilerException: Compile error: | cannot find symbol"),
                NotebookRunner.cellErrors(nb));
    }

    @Test
    void theKernelSpecRunsTheJarWithTheClassPathSplitAtSemicolons() throws Exception {
        Path jar = Files.writeString(dir.resolve("k.jar"), "");
        Path spec = JupyterKernel.install(dir.resolve("jupyter"), jar, List.of("/a.jar", "/b.jar"), List.of("-Xmx1g"), Map.of("OMP_NUM_THREADS", "2"));
        assertEquals(dir.resolve("jupyter/kernels/gkc4j-java/kernel.json"), spec);
        JsonNode k = new ObjectMapper().readTree(spec.toFile());
        List<String> argv = new java.util.ArrayList<>();
        k.path("argv").forEach(a -> argv.add(a.asText()));
        assertEquals(List.of("-Xmx1g", "-jar", jar.toAbsolutePath().toString(), "{connection_file}"), argv.subList(1, argv.size()));
        assertTrue(argv.get(0).endsWith("/bin/java"), argv.get(0));
        assertEquals("/a.jar;/b.jar", k.path("env").path("RJK_CLASSPATH").asText());
        assertEquals("2", k.path("env").path("OMP_NUM_THREADS").asText());
        assertEquals(dir.resolve("jupyter/mima").toAbsolutePath().toString(), k.path("env").path("RJK_MIMA_CACHE").asText());
        assertEquals(dir.resolve("jupyter").toAbsolutePath().toString(), JupyterKernel.jupyterEnv(dir.resolve("jupyter")).get("JUPYTER_PATH"));
    }

    @Test
    void aMissingKernelJarIsOneClearError() {
        GkcException e = assertThrows(GkcException.class,
                () -> JupyterKernel.install(dir, dir.resolve("none.jar"), List.of(), List.of(), Map.of()));
        assertTrue(e.getMessage().contains("kernel jar is missing"), e.getMessage());
    }
}
