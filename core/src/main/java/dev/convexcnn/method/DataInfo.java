package dev.convexcnn.method;

import dev.convexcnn.data.Dataset;

/** The training data a method's defaults and budget plans are chosen for. */
public record DataInfo(String name, int samples, int height, int width, int channels, int classes) {
    /** The shape of MNIST's training set, for budget tables in the docs. */
    public static final DataInfo MNIST = new DataInfo("mnist", 60_000, 28, 28, 1, 10);

    public static DataInfo of(Dataset d) {
        return new DataInfo(d.name(), d.size(), d.height(), d.width(), d.channels(), d.classes());
    }

    /** The samples a plan with this limit trains on (0 = all). */
    public int capped(int limit) {
        return limit <= 0 ? samples : Math.min(limit, samples);
    }
}
