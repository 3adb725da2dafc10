/**
 * Studies that set one method against another and write results files, plots and tables: the convex program
 * against SGD and Adam from the same start ({@link dev.convexcnn.experiments.ConvexVsSgd}), the convex solver's time
 * against n ({@link dev.convexcnn.experiments.ConvexScaling}), alternation against SGD
 * ({@link dev.convexcnn.experiments.AlternationVsSgd}), compressed layers against the dense net
 * ({@link dev.convexcnn.experiments.CompressionAblation}) and the distillation study
 * ({@link dev.convexcnn.experiments.DistillStudy}). The methods' maths stays in their packages.
 */
package dev.convexcnn.experiments;
