package org.gkc4j.cli;

import org.gkc4j.experiments.doctor.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Checks this machine: Java, OS, the ND4J backend and its devices (CPU or CUDA), native memory limits, "
                + "one ND4J release on the class path, the op fixes on this backend, DOUBLE gradient checks of a few blocks "
                + "and a tiny network in DOUBLE and FLOAT against stored float64 outputs of the authors' PyTorch modules. One line each (info / ok / fail); exit 1 if any check fails.")
public final class DoctorCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Doctor.Line> lines = Doctor.run(l -> {
            out.println(l);
            out.flush();
        });
        long failed = lines.stream().filter(l -> l.status() == Doctor.Status.FAIL).count();
        long ok = lines.stream().filter(l -> l.status() == Doctor.Status.OK).count();
        out.println(failed == 0 ? "doctor: all " + ok + " checks passed" : "doctor: " + failed + " of " + (ok + failed) + " checks failed");
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
