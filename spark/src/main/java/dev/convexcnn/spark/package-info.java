/**
 * ConvexCNN on Apache Spark: the gated-ReLU convex program solved by the core's R-FISTA with its smooth part
 * summed over data partitions by tree aggregation ({@link dev.convexcnn.spark.DistributedGatedProgram},
 * {@link dev.convexcnn.spark.SparkConvexTrainer}), and experiment grids run one cell per Spark task
 * ({@link dev.convexcnn.spark.SweepCell}, {@link dev.convexcnn.spark.SparkSweep}). Core and cli know nothing
 * of Spark; this module depends on them.
 */
package dev.convexcnn.spark;
