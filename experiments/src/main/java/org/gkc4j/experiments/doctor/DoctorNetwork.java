package org.gkc4j.experiments.doctor;

import org.gkc4j.GkcException;
import org.gkc4j.io.Npy;
import org.gkc4j.model.D2Config;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.nn.GraphContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The tiny GKC network {@code gkc doctor} runs, with weights and inputs that every backend generates alike
 * (java.util.Random, never ND4J's generator, whose streams differ between CPU and CUDA), and the float64 outputs the
 * authors' own PyTorch modules give for them, stored beside its config ({@code doctor/network/}, made by
 * framework/src/test/python/authors_network_reference.py {@code --network-dir}). Values are float32 numbers held in
 * float64, so FLOAT and DOUBLE runs start from the same weights.
 */
public final class DoctorNetwork {
    static final String RESOURCES = "/org/gkc4j/experiments/doctor/network/";
    static final long SEED = 20231002L;
    static final int IMAGE_SIZE = 64;
    static final int CLASSES = 4;

    private DoctorNetwork() {
    }

    /** The network's sizes, from the detectron2-style config the authors' modules are built from too. */
    public static GkcModelConfig config() {
        try (InputStream in = resource("config.yaml")) {
            Path tmp = Files.createTempFile("gkc-doctor-", ".yaml");
            try {
                Files.write(tmp, in.readAllBytes());
                return D2Config.read(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw GkcException.of("cannot read the doctor network's config: %s", e.getMessage());
        }
    }

    /** The config file's text (written beside the exported weights for the reference run). */
    public static String configText() {
        try (InputStream in = resource("config.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw GkcException.of("cannot read the doctor network's config: %s", e.getMessage());
        }
    }

    /**
     * Every parameter and buffer the network declares, filled by rule: matrices and kernels uniform with variance
     * 1/fan-in, norm scales near 1, biases and running means near 0, running variances in [0.5, 1.5], the logit
     * scale at its initial value. One generator per key (seeded by the key), so adding a key changes no other.
     */
    public static Map<String, INDArray> weights() {
        GkcModelConfig cfg = config();
        GraphContext init = GraphContext.builder().dtype(DataType.DOUBLE).seed(1).trainable(k -> false).build();
        new GkcNetwork(init, cfg).forward(init.sd().placeHolder("images", DataType.DOUBLE, 1, 3, IMAGE_SIZE, IMAGE_SIZE));
        Map<String, INDArray> out = new LinkedHashMap<>();
        init.stateDict().forEach((key, declared) -> out.put(key, fill(key, declared)));
        return out;
    }

    private static INDArray fill(String key, INDArray declared) {
        long[] shape = declared.shape();
        if (key.equals("logit_scale")) {
            return declared.castTo(DataType.DOUBLE).dup();
        }
        Random rng = new Random(SEED ^ key.hashCode());
        int n = (int) declared.length();
        double[] v = new double[n];
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        double bound = Math.sqrt(3.0 / Math.max(1, fanIn));
        for (int i = 0; i < n; i++) {
            double u = 2 * rng.nextDouble() - 1;
            double x;
            if (key.endsWith("running_var")) {
                x = 1 + 0.5 * u;
            } else if (shape.length >= 2) {
                x = bound * u;
            } else if (key.endsWith(".weight")) {
                x = 1 + 0.1 * u;
            } else {
                x = 0.1 * u;
            }
            v[i] = (float) x;
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }

    /** One image [1, 3, 64, 64], standard normal (a normalised image's range). */
    public static INDArray images() {
        return normal(new Random(SEED + 1), 1, 3, IMAGE_SIZE, IMAGE_SIZE);
    }

    /** Four class text embeddings [4, 24]. */
    public static INDArray textFeatures() {
        return normal(new Random(SEED + 2), CLASSES, config().head().embedDim());
    }

    /** SHA-256 of every weight's key, shape and values and of the inputs: names what the stored outputs belong to. */
    public static String digest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Map<String, INDArray> all = new LinkedHashMap<>(weights());
            all.put("images", images());
            all.put("text_features", textFeatures());
            all.forEach((k, v) -> {
                md.update(k.getBytes(StandardCharsets.UTF_8));
                for (long s : v.shape()) {
                    md.update(ByteBuffer.allocate(8).putLong(s).array());
                }
                double[] d = v.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
                ByteBuffer b = ByteBuffer.allocate(8 * d.length);
                for (double x : d) {
                    b.putDouble(x);
                }
                md.update(b.array());
            });
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One stored float64 output of the authors' modules ({@code class_logits}, {@code pred_masks}, {@code sem_seg}). */
    public static INDArray reference(String name) {
        try (InputStream in = resource(name + ".npy")) {
            Path tmp = Files.createTempFile("gkc-doctor-", ".npy");
            try {
                Files.write(tmp, in.readAllBytes());
                return Npy.read(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw GkcException.of("cannot read the doctor network's reference %s: %s", name, e.getMessage());
        }
    }

    /** The reference run's record (torch version, the digest of the weights and inputs it ran on). */
    public static String referenceMeta() {
        try (InputStream in = resource("meta.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw GkcException.of("cannot read the doctor network's reference record: %s", e.getMessage());
        }
    }

    private static InputStream resource(String name) {
        InputStream in = DoctorNetwork.class.getResourceAsStream(RESOURCES + name);
        if (in == null) {
            throw GkcException.of("the doctor network's %s is missing from the class path (a damaged jar?)", name);
        }
        return in;
    }

    private static INDArray normal(Random rng, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }
}
