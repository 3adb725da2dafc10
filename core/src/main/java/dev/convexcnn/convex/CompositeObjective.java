package dev.convexcnn.convex;

import dev.convexcnn.optim.Composite;

/**
 * A convex program's objective F(x) = f(x) + r(x): the shared contract ({@link Composite}) under the name the
 * convex programs and {@link RFista} use.
 */
public interface CompositeObjective extends Composite {}
