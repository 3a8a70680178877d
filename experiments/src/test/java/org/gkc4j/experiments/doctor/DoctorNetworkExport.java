package org.gkc4j.experiments.doctor;

import org.gkc4j.io.Npy;
import org.gkc4j.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the doctor network's weights, config and inputs to a folder, the input of
 * {@code authors_network_reference.py --network-dir DIR}, which stores the authors' float64 outputs in
 * experiments/src/main/resources/org/gkc4j/experiments/doctor/network/.
 * Run: {@code java -cp <test classes + class path> org.gkc4j.experiments.doctor.DoctorNetworkExport DIR}.
 */
public final class DoctorNetworkExport {
    private DoctorNetworkExport() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve("gkc.safetensors"), DoctorNetwork.weights(), Map.of("digest", DoctorNetwork.digest()));
        Files.writeString(dir.resolve("config.yaml"), DoctorNetwork.configText());
        Npy.write(dir.resolve("images.npy"), DoctorNetwork.images());
        Npy.write(dir.resolve("text_features.npy"), DoctorNetwork.textFeatures());
        System.out.println("digest " + DoctorNetwork.digest());
    }
}
