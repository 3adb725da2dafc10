/**
 * Convexified CNNs (Zhang, Liang, Wainwright, ICML 2017): patch extraction with per-patch normalisation and
 * ZCA whitening, kernel features of patches (random Fourier and Nyström, for the Gaussian RBF and the
 * inverse-polynomial kernel), the nuclear-norm-constrained multinomial logistic program solved by projected
 * stochastic gradient with the exact projection, the Frank–Wolfe-gap certificate, filter recovery by
 * factorisation, average pooling and layer-wise stacking.
 *
 * <p>Entry point: {@link dev.convexcnn.ccnn.CcnnTrainer#fit} with a {@link dev.convexcnn.ccnn.CcnnSettings};
 * it returns a {@link dev.convexcnn.ccnn.CcnnModel}. Features are computed per mini-batch from seeded random
 * features, never cached for the whole data set. See {@code docs/ccnn.md}.
 */
package dev.convexcnn.ccnn;
