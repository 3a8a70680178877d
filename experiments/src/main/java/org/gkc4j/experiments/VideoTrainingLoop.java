package org.gkc4j.experiments;

import org.gkc4j.data.TrainingBatch;
import org.gkc4j.train.Checkpoint;
import org.gkc4j.train.TrainConfig;
import org.gkc4j.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The step loop the video demo and VIPSeg training share: resume from the folder's checkpoint (or start a fresh log),
 * {@code train.accumulate()} micro-batches a step, one log line a step, atomic checkpoints every
 * {@code train.checkpointEvery()} steps and at the end.
 */
final class VideoTrainingLoop {
    /** The micro-batch {@code micro} of step {@code step}; a pure function of both, so a resumed run draws as a straight one. */
    interface Batches {
        TrainingBatch get(int step, int micro);
    }

    private VideoTrainingLoop() {
    }

    /**
     * Trains to {@code train.iterations()} steps; returns the training seconds of all the run's logged steps, those of
     * earlier sessions included, so a resumed run (even one with nothing left to train) reports the run's time.
     */
    static double run(Trainer trainer, Path out, boolean resume, TrainConfig train, int framesPerStep, String bar,
                      Map<String, String> checkpointMeta, Batches batches) throws IOException {
        Path ckpt = out.resolve(TrainingRun.CHECKPOINT), log = out.resolve(TrainingRun.METRICS_LOG);
        if (resume && Files.exists(ckpt)) {
            trainer.restore(Checkpoint.load(ckpt));
            TrainingRun.truncateLog(log, trainer.step());
            System.err.printf("gkc: resumed %s at step %d%n", out, trainer.step());
        } else {
            Files.deleteIfExists(log);
        }
        int total = train.iterations();
        try (ProgressBar progress = new ProgressBar(bar, total, "steps")) {
            while (trainer.step() < total) {
                List<TrainingBatch> micro = new ArrayList<>();
                for (int a = 0; a < train.accumulate(); a++) {
                    micro.add(batches.get(trainer.step(), a));
                }
                Trainer.StepResult r = trainer.train(micro);
                TrainingRun.appendLog(log, r, framesPerStep);
                progress.step(trainer.step(), String.format(Locale.ROOT, "loss %.3f lr %.1e %.1f frames/s", r.loss(), r.lr(), framesPerStep / r.seconds()));
                if (trainer.step() % train.checkpointEvery() == 0 || trainer.step() == total) {
                    Checkpoint.save(ckpt, trainer.checkpointState(), checkpointMeta);
                }
            }
        }
        return TrainingRun.loggedSeconds(log);
    }
}
