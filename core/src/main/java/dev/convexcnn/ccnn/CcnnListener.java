package dev.convexcnn.ccnn;

/** Hears about CCNN training. Methods default to doing nothing. */
public interface CcnnListener {
    default void onIteration(IterationRecord record) {}

    /** After a layer is trained: its certificate and the rank/filters kept. */
    default void onLayer(Certificate certificate, int filters) {}

    default void onMessage(String message) {}

    /** A certified check of DCCNN's dual solve of a layer (1-based) and the relative tolerance it is asked for. */
    default void onCheck(int layer, DualSolver.Check check, double tolerance) {}

    CcnnListener NONE = new CcnnListener() {};
}
