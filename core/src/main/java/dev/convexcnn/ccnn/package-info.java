/**
 * Convexified CNNs (Zhang, Liang, Wainwright, ICML 2017): patch extraction with per-patch normalisation and
 * ZCA whitening, kernel features of patches (random Fourier and Nyström, for the Gaussian RBF and the
 * inverse-polynomial kernel), the nuclear-norm-constrained multinomial logistic program solved by projected
 * stochastic gradient with the exact projection, the Frank–Wolfe-gap certificate, filter recovery by
 * factorisation, average pooling and layer-wise stacking. DCCNN (Bai, Ke, Honorio, arXiv 2205.14056, as we
 * derived it): the penalised program's entropy dual ({@link dev.convexcnn.ccnn.PenalizedProgram}), its
 * primal–dual solver on streamed features ({@link dev.convexcnn.ccnn.DualSolver}), weight recovery from the
 * dual solution ({@link dev.convexcnn.ccnn.DualRecovery}), layer-wise training
 * ({@link dev.convexcnn.ccnn.DccnnTrainer}), and the explicit-kernel-matrix primal it is measured against
 * ({@link dev.convexcnn.ccnn.KernelMatrixPrimal}). Models of both kinds are saved by
 * {@link dev.convexcnn.ccnn.CcnnModelFile}.
 *
 * <p>Entry point: {@link dev.convexcnn.ccnn.CcnnTrainer#fit} with a {@link dev.convexcnn.ccnn.CcnnSettings};
 * it returns a {@link dev.convexcnn.ccnn.CcnnModel}. Features are computed per mini-batch from seeded random
 * features, never cached for the whole data set. See {@code docs/ccnn.md}.
 */
package dev.convexcnn.ccnn;
