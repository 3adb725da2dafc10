package dev.convexcnn.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** How this module starts Spark: spark-submit's master when there is one, else the given local master. */
public final class SparkContexts {
    private SparkContexts() {}

    /**
     * A context for {@code master} (null: the spark.master that spark-submit set, else local[*]). The web UI is
     * off for local masters: a library run needs no port of its own.
     */
    public static JavaSparkContext create(String master, String appName) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null) conf.setMaster(master);
        else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        return sc;
    }
}
