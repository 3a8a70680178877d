package org.gkc4j.cli;

import org.gkc4j.GkcException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** Entry point of the {@code gkc} command line. */
@Command(name = "gkc", mixinStandardHelpOptions = true, versionProvider = GkcMain.Version.class,
        description = "gkc4j: fast open-vocabulary segmentation (GKC, ICCV 2023) on DL4J/SameDiff.",
        subcommands = {
                DemoCommand.class,
                ClipCommand.class,
                BenchCommand.class,
                ModelCommand.class,
                TrainCommand.class,
                TrainVideoCommand.class,
                PredictCommand.class,
                EvalCommand.class,
                AblateCommand.class,
                SweepCommand.class,
                SynonymsCommand.class,
                DataCommand.class,
                EvalMasksCommand.class,
                EvalVideoMasksCommand.class,
                DoctorCommand.class,
                NotebooksCommand.class,
                CommandLine.HelpCommand.class
        })
public final class GkcMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (tests call this directly). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // ND4J's native allocations hit JavaCPP's limits (or the heap is full): say so in one line, not a trace
            if (java.util.Arrays.asList(args).contains("--verbose")) {
                e.printStackTrace(err);
            }
            err.println("gkc: out of memory: " + oneLine(e.getMessage())
                    + " (use a smaller input, batch or model; GKC_NATIVE_MEMORY and GKC_JAVA_OPTS raise the limits)");
            err.flush();
            return 1;
        }
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new GkcMain());
        cl.setExecutionExceptionHandler(GkcMain::handle);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean verbose = parsed != null && hasVerbose(parsed);
        PrintWriter err = cl.getErr();
        if (verbose) {
            e.printStackTrace(err);
        }
        String msg = e instanceof GkcException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
        err.println("gkc: " + oneLine(msg) + (verbose || e instanceof GkcException ? "" : " (run with --verbose for the stack trace)"));
        err.flush();
        return e instanceof GkcException ? 1 : 70;
    }

    private static boolean hasVerbose(CommandLine.ParseResult r) {
        for (CommandLine.ParseResult p = r; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GkcMain.class.getPackage().getImplementationVersion();
            return new String[]{"gkc4j " + (v == null ? "(development build)" : v)};
        }
    }
}
