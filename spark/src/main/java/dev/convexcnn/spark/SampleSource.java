package dev.convexcnn.spark;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import java.io.IOException;
import java.io.Serializable;
import java.lang.ref.SoftReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the executors read the training samples from. It travels to every executor in the task closure, so it
 * must name data the executor can reach itself (a shared file system path), or carry the samples (small data,
 * tests). Each partition loads the source and keeps its own contiguous range of rows.
 */
public interface SampleSource extends Serializable {
    /** The whole training set (first {@code limit} samples where a limit is set). */
    Dataset load() throws IOException;

    /** A short description for logs and provenance. */
    String describe();

    /**
     * A dataset by name (mnist, fashion-mnist, cifar10:DIR, digits:FILE) read from a data folder every executor
     * sees: a path mounted at the same place on every node, or a URL (file://, hdfs://, s3a://) read through
     * Hadoop's FileSystem API ({@link SharedData}). It is never fetched on an executor: fetch it into the shared
     * folder first ({@code convexcnn data fetch}). Loaded once per executor JVM while memory allows.
     *
     * @param limit the first {@code limit} samples, or 0 for all
     */
    record Named(String dataset, String dataDir, int limit) implements SampleSource {
        public Named {
            if (dataset == null || dataset.isBlank()) throw new IllegalArgumentException("dataset name is empty");
            if (limit < 0) throw new IllegalArgumentException("--limit must be > 0, got " + limit);
        }

        private static final Map<String, SoftReference<Dataset>> LOADED = new ConcurrentHashMap<>();

        @Override
        public Dataset load() throws IOException {
            String key = dataset + "|" + dataDir;
            SoftReference<Dataset> ref = LOADED.get(key);
            Dataset d = ref == null ? null : ref.get();
            if (d == null) {
                synchronized (LOADED) {
                    ref = LOADED.get(key);
                    d = ref == null ? null : ref.get();
                    if (d == null) {
                        d = Datasets.load(dataset, true, SharedData.cache(dataDir, dataset), false, m -> { });
                        LOADED.put(key, new SoftReference<>(d));
                    }
                }
            }
            return limit > 0 ? d.head(limit) : d;
        }

        @Override public String describe() { return dataset + "-train" + (limit > 0 ? "[:" + limit + "]" : ""); }
    }

    /** Samples carried in the closure itself: for tests and small data. */
    record InMemory(String name, int height, int width, int channels, int classes, float[] pixels, int[] labels)
            implements SampleSource {
        public static InMemory of(Dataset d) {
            return new InMemory(d.name(), d.height(), d.width(), d.channels(), d.classes(), d.pixels(), d.labels());
        }

        @Override public Dataset load() { return new Dataset(name, height, width, channels, classes, pixels, labels); }
        @Override public String describe() { return name; }
    }
}
