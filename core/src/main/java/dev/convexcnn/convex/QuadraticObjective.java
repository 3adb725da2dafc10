package dev.convexcnn.convex;

import dev.convexcnn.optim.GroupLasso;
import dev.convexcnn.optim.Quadratic;
import dev.convexcnn.optim.RelativeGap;

/**
 * A composite objective whose smooth part is a quadratic ({@link Quadratic}): the products it offers let
 * {@link RFista#solveQuadratic} keep A·x of its iterates and price two trial steps with one wide product.
 */
public interface QuadraticObjective extends CompositeObjective, Quadratic {
    /**
     * The group lasso of a program whose smooth part is a squared loss (s/2)‖Φx − Y‖², for its duality gap
     * ({@link GroupLasso#relativeGap}); null when the objective is not of that kind.
     */
    default GroupLasso groupLasso() { return null; }

    @Override
    default RelativeGap dualityGap() { return groupLasso(); }
}
