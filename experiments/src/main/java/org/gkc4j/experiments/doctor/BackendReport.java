package org.gkc4j.experiments.doctor;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The ND4J backend this JVM runs on, read from ND4J itself (not assumed from the build profile): backend, devices
 * (CUDA devices with their memory, or the CPU with its vector extensions), native build, memory limits. What
 * {@code gkc doctor} prints and {@code provenance.json} records.
 *
 * @param backend     ND4J's name of the backend ("CPU", "CUDA")
 * @param devices     one description per device
 * @param build       the native library's build flags (compiler, engines, BLAS), one line
 * @param maxBytes    JavaCPP's limit on native allocations ({@code org.bytedeco.javacpp.maxbytes})
 * @param maxPhysicalBytes JavaCPP's limit on the process's resident memory ({@code maxphysicalbytes}; 0: none)
 * @param physicalBytes the process's resident memory now
 * @param heapMax     the Java heap limit (-Xmx)
 */
public record BackendReport(String backend, String backendClass, String nd4jVersion, String blas, List<String> devices,
                            String build, long maxBytes, long maxPhysicalBytes, long physicalBytes, long heapMax) {

    private static final Set<String> CPU_FLAGS = Set.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni");

    /** Initialises ND4J if it is not yet, then reads what it reports. */
    public static BackendReport collect() {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String backend = String.valueOf(env.getOrDefault("backend", "unknown"));
        List<String> devices = new ArrayList<>();
        Object cuda = env.get("cuda.devicesInformation");
        if (cuda instanceof List<?> list && !list.isEmpty()) {
            for (int i = 0; i < list.size(); i++) {
                devices.add("cuda:" + i + " " + cudaDevice(list.get(i)));
            }
        } else {
            devices.add(cpuDevice(env));
        }
        String build = "";
        try {
            build = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().trim().replaceAll("\\s*\\n\\s*", ", ");
        } catch (RuntimeException | LinkageError e) {
            build = "(not reported: " + e.getMessage() + ")";
        }
        return new BackendReport(backend, Nd4j.getBackend().getClass().getName(), installedNd4jVersion(),
                String.valueOf(env.getOrDefault("blas.vendor", "")), List.copyOf(devices), build,
                Pointer.maxBytes(), Pointer.maxPhysicalBytes(), Pointer.physicalBytes(), Runtime.getRuntime().maxMemory());
    }

    /** The fields provenance.json records. */
    public Map<String, Object> toProvenance() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nd4j", nd4jVersion);
        m.put("backend", backend);
        m.put("backend_class", backendClass);
        m.put("devices", devices);
        m.put("javacpp_maxbytes", maxBytes);
        m.put("javacpp_maxphysicalbytes", maxPhysicalBytes);
        m.put("heap_max", heapMax);
        return m;
    }

    /** The version in nd4j-api's Maven metadata ("unknown" when the jar carries none). */
    public static String installedNd4jVersion() {
        try (InputStream in = Nd4j.class.getResourceAsStream("/META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static String gigabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }

    /** ND4J's per-device map ("cuda.deviceName", "cuda.totalMemory", ...) as one line; unknown keys are kept. */
    private static String cudaDevice(Object info) {
        if (!(info instanceof Map<?, ?> map)) {
            return String.valueOf(info);
        }
        StringBuilder sb = new StringBuilder();
        Object name = map.get("cuda.deviceName");
        if (name != null) {
            sb.append(name);
        }
        if (map.get("cuda.deviceMajor") != null) {
            sb.append(", compute ").append(map.get("cuda.deviceMajor")).append('.').append(map.get("cuda.deviceMinor"));
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (k.equals("cuda.deviceName") || k.equals("cuda.deviceMajor") || k.equals("cuda.deviceMinor")) {
                continue;
            }
            String label = k.startsWith("cuda.") ? k.substring(5) : k;
            String value = e.getValue() instanceof Number n && label.toLowerCase(Locale.ROOT).contains("memory")
                    ? gigabytes(n.longValue()) : String.valueOf(e.getValue());
            sb.append(sb.length() == 0 ? "" : ", ").append(label).append(' ').append(value);
        }
        return sb.toString();
    }

    /** "cpu: MODEL, N cores, avx2 fma ..., native AVX/AVX2 build": from /proc/cpuinfo where it exists. */
    private static String cpuDevice(Properties env) {
        StringBuilder sb = new StringBuilder("cpu: ");
        String model = null;
        List<String> flags = new ArrayList<>();
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try (var lines = Files.lines(cpuinfo)) {
                for (String line : (Iterable<String>) lines::iterator) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String key = line.substring(0, colon).trim();
                    if (model == null && key.equals("model name")) {
                        model = line.substring(colon + 1).trim();
                    } else if (flags.isEmpty() && key.equals("flags")) {
                        for (String f : line.substring(colon + 1).trim().split("\\s+")) {
                            if (CPU_FLAGS.contains(f)) {
                                flags.add(f);
                            }
                        }
                    }
                    if (model != null && !flags.isEmpty()) {
                        break;
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                model = null;
            }
        }
        sb.append(model != null ? model : System.getProperty("os.arch"));
        sb.append(", ").append(env.getOrDefault("cores", Runtime.getRuntime().availableProcessors())).append(" cores");
        if (!flags.isEmpty()) {
            sb.append(", ").append(String.join(" ", flags.stream().sorted().toList()));
        }
        try {
            var ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
            sb.append(", native build for ").append(level(ops.binaryLevel())).append(" (best for this CPU: ").append(level(ops.optimalLevel())).append(')');
        } catch (RuntimeException | LinkageError e) {
            // a backend without these calls: the flags above say enough
        }
        return sb.toString();
    }

    /** libnd4j's instruction-set levels, as ND4J's own start-up message names them. */
    private static String level(int level) {
        return switch (level) {
            case 3 -> "AVX512";
            case 2 -> "AVX/AVX2";
            default -> "generic x86-64";
        };
    }
}
