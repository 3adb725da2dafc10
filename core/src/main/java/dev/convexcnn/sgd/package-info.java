/**
 * The SGD baseline: optimisers (SGD with momentum and weight decay, Adam) with explicit, checkpointable state;
 * seeded mini-batch training with per-epoch checkpoints and exact resume.
 */
package dev.convexcnn.sgd;
