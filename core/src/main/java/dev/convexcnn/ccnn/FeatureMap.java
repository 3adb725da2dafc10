package dev.convexcnn.ccnn;

/**
 * A finite feature map φ: R^d → R^m with ⟨φ(z), φ(z')⟩ ≈ K(z, z'). Immutable; {@link #map} is thread-safe
 * given a scratch buffer per thread.
 */
public interface FeatureMap {
    Kernel kernel();

    /** The kernel parameter γ (ignored by the inverse-polynomial kernel). */
    double gamma();

    int inputDim();

    /** m, the number of features. */
    int dim();

    /** Doubles of scratch {@link #map} needs for {@code rows} inputs. */
    int scratchSize(int rows);

    /**
     * Maps {@code rows} inputs (row-major rows × inputDim in z) to rows × dim features in out.
     * out must not alias z.
     */
    void map(double[] z, int rows, double[] out, double[] scratch);

    /** The feature vector of one input, for tests and small uses. */
    default double[] map(double[] z) {
        double[] out = new double[dim()];
        map(z, 1, out, new double[scratchSize(1)]);
        return out;
    }
}
