package org.gkc4j.cli;

import org.gkc4j.GkcException;
import org.gkc4j.experiments.notebooks.JupyterKernel;
import org.gkc4j.experiments.notebooks.NotebookRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "notebooks", mixinStandardHelpOptions = true,
        description = "The Java notebooks of notebooks-java/ in Jupyter: install the project's kernel, or execute every notebook headlessly.",
        subcommands = {NotebooksCommand.Install.class, NotebooksCommand.Run.class})
public final class NotebooksCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Path home() {
        return Path.of(System.getProperty("gkc.home", ".")).toAbsolutePath().normalize();
    }

    static Path jupyterDir() {
        return home().resolve("target/jupyter");
    }

    /** Writes the kernel spec for this build: this JVM's class path and options, so notebooks see what ./gkc sees. */
    static Path install(PrintWriter err) {
        Path dir = jupyterDir();
        Path jar = kernelJar(dir, err);
        List<String> classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(s -> Path.of(s).toAbsolutePath().toString()).toList();
        List<String> jvm = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-X") || a.startsWith("-D")) {
                jvm.add(a);
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String k : List.of("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE")) {
            String v = System.getenv(k);
            if (v != null) {
                env.put(k, v);
            }
        }
        return JupyterKernel.install(dir, jar, classpath, jvm, env);
    }

    /** The kernel jar in target/jupyter: copied from the local Maven repository, else fetched there by Maven. */
    private static Path kernelJar(Path dir, PrintWriter err) {
        Path jar = dir.resolve(JupyterKernel.jarName());
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        try {
            Files.createDirectories(dir);
            Path repo = Path.of(System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository"));
            Path cached = repo.resolve(JupyterKernel.GROUP.replace('.', '/')).resolve(JupyterKernel.ARTIFACT).resolve(JupyterKernel.VERSION)
                    .resolve(JupyterKernel.jarName());
            if (Files.isRegularFile(cached)) {
                Files.copy(cached, jar, StandardCopyOption.REPLACE_EXISTING);
                return jar;
            }
            err.println("gkc: fetching the Jupyter kernel " + JupyterKernel.coordinates() + " with Maven...");
            err.flush();
            Path log = dir.resolve("fetch-kernel.log");
            Process p = new ProcessBuilder("mvn", "-B", "-q", "-N", "dependency:copy", "-Dartifact=" + JupyterKernel.coordinates(),
                    "-DoutputDirectory=" + dir).directory(home().toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (p.waitFor() != 0 || !Files.isRegularFile(jar)) {
                throw GkcException.of("could not fetch %s with Maven (see %s)", JupyterKernel.coordinates(), log);
            }
            return jar;
        } catch (IOException e) {
            throw GkcException.of("could not get the Jupyter kernel %s: %s", JupyterKernel.coordinates(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GkcException.of("interrupted while fetching the Jupyter kernel");
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Register the project's Java kernel (rapaio-jupyter-kernel with this build's class path) in target/jupyter, "
                    + "and print how to open the notebooks with it.")
    static final class Install implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Path file = install(spec.commandLine().getErr());
            out.println("gkc: kernel '" + JupyterKernel.NAME + "' written to " + file);
            StringBuilder env = new StringBuilder();
            JupyterKernel.jupyterEnv(jupyterDir()).forEach((k, v) -> env.append(k).append('=').append(v).append(' '));
            out.println("gkc: open the notebooks with: " + env + "jupyter lab " + home().resolve("notebooks-java")
                    + "   (or jupyter notebook; re-run this after a rebuild)");
            out.flush();
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Execute every notebook of notebooks-java/ with Jupyter (jupyter-nbconvert) and the project's kernel; "
                    + "executed copies, outputs included, go to --out under the same names. Exit 1 if any cell ends in an error.")
    static final class Run implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--out", description = "Folder for the executed copies (default: target/notebooks; give notebooks-java to refresh the committed ones).")
        Path out;

        @Override
        public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            Path nbconvert = NotebookRunner.findNbconvert().orElseThrow(() -> new GkcException(
                    "jupyter-nbconvert is not on the PATH: install it (Debian: apt-get install jupyter-nbconvert; elsewhere: pip install nbconvert)"));
            install(spec.commandLine().getErr());
            Path folder = home().resolve("notebooks-java");
            List<Path> notebooks = NotebookRunner.notebooks(folder);
            if (notebooks.isEmpty()) {
                throw GkcException.of("no notebooks in %s", folder);
            }
            Path outDir = out != null ? out.toAbsolutePath() : home().resolve("target/notebooks");
            NotebookRunner runner = new NotebookRunner(jupyterDir(), nbconvert);
            int failed = 0;
            for (Path nb : notebooks) {
                o.println("notebook " + nb.getFileName() + " ...");
                o.flush();
                NotebookRunner.Outcome r = runner.run(nb, outDir);
                String starts = r.starts() > 1 ? ", " + r.starts() + " kernel starts" : "";
                if (r.ok()) {
                    o.printf(Locale.ROOT, "  ok (%.0f s%s)%n", r.seconds(), starts);
                } else {
                    failed++;
                    o.printf(Locale.ROOT, "  FAILED (%.0f s%s)%n", r.seconds(), starts);
                    r.errors().forEach(e -> o.println("    " + e));
                }
                o.flush();
            }
            o.printf(Locale.ROOT, "notebooks: %d of %d ran without an error cell; executed copies in %s%n", notebooks.size() - failed, notebooks.size(), outDir);
            o.flush();
            return failed == 0 ? 0 : 1;
        }
    }
}
