package dev.convexcnn.ccnn;

/**
 * One logged projected-SGD iteration of one layer (1-based). The monitor figures are NaN unless
 * {@link CcnnSettings#monitorSamples()} &gt; 0; the monitor gap is the Frank–Wolfe gap at the current iterate.
 */
public record IterationRecord(int layer, int iteration, double batchLoss, double batchAccuracy, double nuclearNorm,
                              boolean projected, double monitorLoss, double monitorGap, double seconds) {}
