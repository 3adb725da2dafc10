/**
 * Exact convex training of two-layer ReLU CNNs (Ergen and Pilanci, ICLR 2021): the group-lasso programs over
 * sampled activation patterns, their solvers (R-FISTA for the gated-ReLU relaxation, an augmented Lagrangian for
 * the cone-constrained ReLU program), optimality certificates, and the recovery of an ordinary CNN. With the
 * squared loss the gated program runs on its Gram matrix ΦᵀΦ, summed once and streamed
 * ({@link dev.convexcnn.convex.GramGatedProgram}); the other programs read Φ itself.
 * <p>
 * The network: f_k(x) = Σ_neurons Σ_patches (z_p(x)·u)₊ v_k, a convolution, a ReLU, a sum over all positions
 * (global sum pooling) and a linear layer. With ten classes the program is solved as ten scalar-output networks
 * that share the sampled patterns, as the scnn library does: every recovered neuron feeds one class.
 * <p>
 * Beyond it: the circular CNN (spectral ℓ1 program in Fourier coordinates, {@link dev.convexcnn.convex.CircularProgram}),
 * the three-layer CNN with two ReLU layers ({@link dev.convexcnn.convex.ThreeLayerProgram}) and the average-pooling
 * variant ({@link dev.convexcnn.convex.PooledReluProgram}), all on {@link dev.convexcnn.convex.LinearConeProgram}.
 */
package dev.convexcnn.convex;
