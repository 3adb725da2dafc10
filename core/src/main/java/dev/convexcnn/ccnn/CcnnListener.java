package dev.convexcnn.ccnn;

/** Hears about CCNN training. Methods default to doing nothing. */
public interface CcnnListener {
    default void onIteration(IterationRecord record) {}

    /** After a layer is trained: its certificate and the rank/filters kept. */
    default void onLayer(Certificate certificate, int filters) {}

    default void onMessage(String message) {}

    CcnnListener NONE = new CcnnListener() {};
}
