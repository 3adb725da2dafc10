package dev.convexcnn.spark;

import org.apache.spark.api.java.JavaSparkContext;

/** One local[2] Spark context for all the tests of this module (starting one takes seconds). */
final class TestSpark {
    private static JavaSparkContext sc;

    private TestSpark() {}

    static synchronized JavaSparkContext context() {
        if (sc == null) {
            sc = SparkContexts.create("local[2]", "convexcnn-spark-tests");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> sc.stop()));
        }
        return sc;
    }
}
