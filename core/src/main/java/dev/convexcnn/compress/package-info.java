/**
 * Compressed CNNs (methods.md section 6): conv layers whose kernel is a CP, Tucker-2, Tucker or tensor-train
 * decomposition and whose forward and backward passes run through the factors ({@link StagedConv} and its
 * subclasses), the decompositions that turn a trained dense kernel into factors ({@link Decompositions}), block
 * designs built from those layers ({@link BlockDesign}), and the redundancy report of a design: parameters,
 * compression ratio, the complexity measure and the K/R ratio ({@link Redundancy}). The definitions of K, R and
 * the complexity follow "our reading" of Huang, Si, Zheng and Li (arXiv 2112.04857), see docs/compression.md.
 */
package dev.convexcnn.compress;
