package dev.convexcnn.convex;

import dev.convexcnn.optim.Factored;

/**
 * A quadratic objective with A = MᵀM given by products with M and Mᵀ ({@link Factored}); {@link RFista#solveQuadratic}
 * prices a trial point by one product with M. For the gated program M is Φ, applied as GEMMs over the patches
 * ({@link GemmGatedProgram}).
 */
public interface FactoredQuadratic extends QuadraticObjective, Factored {}
