package dev.convexcnn.linalg;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Splits a range into a fixed number of contiguous chunks run on the common pool. The split depends only on
 * the range and the thread count, and chunks write disjoint memory, so results do not depend on scheduling.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Integer.getInteger("convexcnn.threads",
            Runtime.getRuntime().availableProcessors()));

    private Parallel() {}

    public interface RangeBody { void run(int from, int to); }

    public static int threads() { return THREADS; }

    /** Runs body over [0, n) in up to threads() chunks; ranges shorter than minChunk per thread run inline. */
    public static void forRange(int n, int minChunk, RangeBody body) {
        int chunks = Math.min(THREADS, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        ForkJoinPool.commonPool().invoke(new Chunk(body, n, chunks, 0, chunks));
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int n, chunks, lo, hi;

        Chunk(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body; this.n = n; this.chunks = chunks; this.lo = lo; this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.run((int) ((long) n * lo / chunks), (int) ((long) n * (lo + 1) / chunks));
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunk(body, n, chunks, lo, mid), new Chunk(body, n, chunks, mid, hi));
        }
    }
}
