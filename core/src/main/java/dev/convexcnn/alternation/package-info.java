/**
 * Alternating training with positive hard-thresholding (Huang, Kong, Lucey, arXiv 1712.02501), in our reading:
 * the ReLU is replaced by {@link dev.convexcnn.alternation.PositiveHardThreshold}, whose binary state (the
 * support) can be frozen; with the multi-layer support frozen the network is linear in each layer's weights, so
 * a layer's weight step is a ridge least-squares problem, solved exactly (normal equations) for the output layer
 * and by matrix-free conjugate gradients elsewhere; a support step recomputes the support. Entry point:
 * {@link dev.convexcnn.alternation.AlternatingTrainer#fit}. See docs/alternation.md for what is the paper's and
 * what is ours.
 */
package dev.convexcnn.alternation;
