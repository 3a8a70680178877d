package org.gkc4j.eval;

import org.gkc4j.GkcException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * VSPW's video consistency {@code VC_n}: how far a prediction stays constant where the ground truth does. For a video
 * of F frames (sorted by name) the windows are frames {@code i .. i+n-1} for {@code i = 0 .. F-n-1} (VSPW's range: the
 * last possible window, ending at the last frame, is not scored, and a video of F <= n frames has none). In a window,
 * the ground-truth agreement holds the pixels whose ground-truth label is the same in all n frames (void included),
 * the prediction agreement likewise; the window scores |both| / |ground-truth agreement|, and is skipped when the
 * ground-truth agreement is empty. {@code mVC_n} is the mean over the windows of all videos, in percent.
 *
 * <p>Streaming: frames arrive one by one, video by video. A pixel agrees over a window exactly when the run of equal
 * labels ending at the window's last frame is at least n frames long, so the state is the previous frame's labels and
 * the current run lengths (four maps the size of one frame, whatever n), and a window is scored when the frame after
 * it arrives.
 */
public final class VideoConsistency {
    /** VSPW's window lengths. */
    public static final int[] VSPW_WINDOWS = {8, 16};

    /** {@code mVC} of one window length in percent (NaN when no window was scored), and the number of windows scored. */
    public record Score(int windowLength, double mVC, long windows) {
    }

    private final int[] lengths;
    private final double[] ratioSum;
    private final long[] windows;
    private long videos;
    // The current video.
    private int frames;
    private int[] lastGt, lastPred, gtRun, predRun;

    public VideoConsistency(int... windowLengths) {
        GkcException.check(windowLengths.length > 0, "give at least one window length");
        for (int n : windowLengths) {
            GkcException.check(n >= 1, "window length must be at least 1; got %d", n);
        }
        GkcException.check(Arrays.stream(windowLengths).distinct().count() == windowLengths.length, "window lengths repeat: %s", Arrays.toString(windowLengths));
        this.lengths = windowLengths.clone();
        this.ratioSum = new double[lengths.length];
        this.windows = new long[lengths.length];
    }

    /** Starts a new video; the previous one's frames no longer count. */
    public void beginVideo() {
        frames = 0;
        lastGt = lastPred = gtRun = predRun = null;
        videos++;
    }

    /** Adds the next frame of the current video; {@code gt} and {@code pred} are row-major maps of the video's size. */
    public void addFrame(int[] gt, int[] pred) {
        GkcException.check(videos > 0, "call beginVideo() before the first frame");
        GkcException.check(gt.length == pred.length, "prediction has %d pixels, ground truth %d", pred.length, gt.length);
        if (frames == 0) {
            lastGt = gt.clone();
            lastPred = pred.clone();
            gtRun = new int[gt.length];
            predRun = new int[gt.length];
            Arrays.fill(gtRun, 1);
            Arrays.fill(predRun, 1);
            frames = 1;
            return;
        }
        GkcException.check(gt.length == lastGt.length, "frame has %d pixels but the video's earlier frames %d", gt.length, lastGt.length);
        // The window ending at the previous frame is complete and is not the video's last: score it.
        for (int l = 0; l < lengths.length; l++) {
            if (frames >= lengths[l]) {
                scoreWindow(l);
            }
        }
        for (int p = 0; p < gt.length; p++) {
            gtRun[p] = gt[p] == lastGt[p] ? gtRun[p] + 1 : 1;
            predRun[p] = pred[p] == lastPred[p] ? predRun[p] + 1 : 1;
        }
        System.arraycopy(gt, 0, lastGt, 0, gt.length);
        System.arraycopy(pred, 0, lastPred, 0, pred.length);
        frames++;
    }

    private void scoreWindow(int l) {
        int n = lengths[l];
        long gtAgree = 0, both = 0;
        for (int p = 0; p < gtRun.length; p++) {
            if (gtRun[p] >= n) {
                gtAgree++;
                if (predRun[p] >= n) {
                    both++;
                }
            }
        }
        if (gtAgree > 0) {
            ratioSum[l] += (double) both / gtAgree;
            windows[l]++;
        }
    }

    public long videos() {
        return videos;
    }

    /** The score of window length {@code n}, which must be one this instance was made with. */
    public Score score(int n) {
        for (int l = 0; l < lengths.length; l++) {
            if (lengths[l] == n) {
                return new Score(n, windows[l] > 0 ? 100 * ratioSum[l] / windows[l] : Double.NaN, windows[l]);
            }
        }
        throw GkcException.of("window length %d was not measured (measured: %s)", n, Arrays.toString(lengths));
    }

    /** The scores in the order the window lengths were given. */
    public List<Score> scores() {
        List<Score> out = new ArrayList<>(lengths.length);
        for (int n : lengths) {
            out.add(score(n));
        }
        return out;
    }
}
