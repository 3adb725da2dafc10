/**
 * Numeric core: the BLAS/LAPACK backend (native OpenBLAS, Vector API or plain Java through
 * {@code dev.ludovic.netlib}), row-major GEMM wrappers, dense float and double matrices, and patch
 * extraction (im2col/col2im) for channels-last images.
 */
package dev.convexcnn.linalg;
