/**
 * What every method shares about optimisation: the certificate type solvers report, the one accelerated proximal
 * gradient loop with its step, restart and stopping policies and the oracles that price its trial points (the
 * composite, quadratic and factored contracts a program implements), the one PDHG loop ({@link
 * dev.convexcnn.optim.Pdhg}) and conjugate gradients, the prox operators (group ℓ2 and weighted groups, the nuclear
 * norm's shrink and ball projection), and the first-order
 * optimisers (SGD with momentum, Adam) with explicit, checkpointable state, whose update rules also serve
 * parameters kept in double. Imports only shared layers (linalg, nn for {@code Param}), never a method.
 */
package dev.convexcnn.optim;
