package dev.convexcnn.spark;

import dev.convexcnn.data.Dataset;
import java.io.Serializable;
import java.util.stream.IntStream;

/**
 * The raw samples of one partition: rows [from, to) of a training set of {@code total} samples. Partition i of
 * k takes rows [i·n/k, (i+1)·n/k), so the partitions in order are the training set in order.
 */
record Slice(int index, int from, int to, int total, int height, int width, int channels, int classes, String name,
             float[] pixels, int[] labels) implements Serializable {

    static Slice of(Dataset all, int index, int partitions) {
        int n = all.size();
        int from = (int) ((long) n * index / partitions), to = (int) ((long) n * (index + 1) / partitions);
        Dataset part = all.subset(IntStream.range(from, to).toArray(), all.name() + "[" + from + ":" + to + "]");
        return new Slice(index, from, to, n, all.height(), all.width(), all.channels(), all.classes(), all.name(),
                part.pixels(), part.labels());
    }

    Dataset dataset() { return new Dataset(name + "[" + from + ":" + to + "]", height, width, channels, classes, pixels, labels); }

    int size() { return to - from; }

    /** What the driver checks: the partitions tile [0, total) and agree on the image shape. */
    Header header() { return new Header(index, from, to, total, height, width, channels, classes, name); }

    record Header(int index, int from, int to, int total, int height, int width, int channels, int classes, String name)
            implements Serializable {}
}
