/**
 * The SGD baseline: seeded mini-batch training of an nn network with {@code optim}'s optimisers (SGD with
 * momentum and weight decay, Adam), per-epoch checkpoints of weights and optimiser state, and exact resume.
 */
package dev.convexcnn.sgd;
