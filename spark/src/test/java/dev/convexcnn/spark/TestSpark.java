package dev.convexcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;

/** One local[2] Spark context for all the tests of this module (starting one takes seconds). */
final class TestSpark {
    private static JavaSparkContext sc;

    private TestSpark() {}

    static synchronized JavaSparkContext context() {
        if (sc == null) {
            sc = SparkContexts.create("local[2]", "convexcnn-spark-tests");
            JavaSparkContext started = sc;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
        }
        return sc;
    }

    /** max |v_i|: the scale of a vector for a relative comparison. */
    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    /** Stops the shared context (one context per JVM: a test of a command that starts its own needs this). */
    static synchronized void stop() {
        if (sc != null) {
            sc.stop();
            sc = null;
        }
    }
}
