/**
 * Datasets: readers for IDX, CIFAR-10 binary batches and the 8×8 digits CSV; the fetcher and cache for
 * MNIST and Fashion-MNIST with sha256 checks; seeded stratified splits; normalisation.
 */
package dev.convexcnn.data;
