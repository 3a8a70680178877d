package org.gkc4j.experiments.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark context of a run: {@code local[N]} embedded (no cluster), {@code spark://host:7077} for a standalone
 * cluster, or whatever {@code spark-submit} configured (YARN, Kubernetes). Settings a user or spark-submit gave win
 * over the defaults set here.
 */
public final class SparkContexts {
    /**
     * Spark's own list of the JDK packages it opens on Java 17 (its launcher adds them to JVMs it starts; a JVM started
     * otherwise needs them on its command line, as the gkc launcher and the test runner have).
     */
    public static final String JAVA_OPTIONS = "-XX:+IgnoreUnrecognizedVMOptions"
            + " --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED"
            + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED"
            + " --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
            + " --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
            + " --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED"
            + " --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED"
            + " --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
            + " -Djdk.reflect.useDirectMethodHandle=false";

    private SparkContexts() {
    }

    public static JavaSparkContext open(String master, String appName) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null && !master.isBlank()) {
            conf.setMaster(master);
        }
        conf.setIfMissing("spark.ui.enabled", "false");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        conf.setIfMissing("spark.driver.maxResultSize", "4g");
        if (!conf.get("spark.master", "local").startsWith("local")) {
            // a cluster on this machine or one sharing its file system runs the driver's own jars and native settings;
            // spark-submit --jars or an explicit setting replaces this
            conf.setIfMissing("spark.executor.extraClassPath", System.getProperty("java.class.path"));
            StringBuilder opts = new StringBuilder(JAVA_OPTIONS);
            for (String p : new String[]{"org.bytedeco.javacpp.cachedir", "jna.tmpdir", "org.bytedeco.javacpp.maxbytes",
                    "org.bytedeco.javacpp.maxphysicalbytes", "gkc.home"}) {
                if (System.getProperty(p) != null) {
                    opts.append(" -D").append(p).append('=').append(System.getProperty(p));
                }
            }
            conf.setIfMissing("spark.executor.extraJavaOptions", opts.toString());
            for (String env : new String[]{"OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE"}) {
                if (System.getenv(env) != null) {
                    conf.setIfMissing("spark.executorEnv." + env, System.getenv(env));
                }
            }
        }
        return new JavaSparkContext(conf);
    }
}
