package dev.convexcnn.linalg;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Splits a range into a fixed number of contiguous chunks run on the common pool. The split depends only on
 * the range and the thread count, and chunks write disjoint memory, so results do not depend on scheduling.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Integer.getInteger("convexcnn.threads",
            Runtime.getRuntime().availableProcessors()));

    private Parallel() {}

    public interface RangeBody { void run(int from, int to); }

    /** Set on a thread while it runs a shard: its ranges run inline, the other shards keep the other cores. */
    private static final ThreadLocal<boolean[]> IN_SHARD = ThreadLocal.withInitial(() -> new boolean[1]);

    public static int threads() { return THREADS; }

    /**
     * Runs body(0), …, body(n − 1), each shard on its own thread (the caller runs shard 0) when concurrent and
     * threads() allows, else one after another on the caller. Inside a concurrent shard, {@link #forRange} runs
     * inline.
     * The shards must write disjoint memory; what they compute does not depend on which thread runs them.
     */
    public static void shards(int n, boolean concurrent, IntConsumer body) {
        if (n <= 1 || !concurrent || THREADS <= 1) {
            // One after another, each shard may still split its ranges over the threads.
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[n - 1];
        for (int i = 1; i < n; i++) {
            final int k = i;
            others[i - 1] = ForkJoinPool.commonPool().submit(() -> inShard(k, body));
        }
        Throwable failure = null;
        try {
            inShard(0, body);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : others) {
            try {
                t.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
    }

    /** Runs body on the caller with every {@link #forRange} inside it inline: a thread that leaves the other cores alone. */
    public static void inline(Runnable body) {
        inShard(0, i -> body.run());
    }

    private static void inShard(int i, IntConsumer body) {
        boolean[] flag = IN_SHARD.get();
        boolean was = flag[0];
        flag[0] = true;
        try {
            body.accept(i);
        } finally {
            flag[0] = was;
        }
    }

    /** Runs body over [0, n) in up to threads() chunks; ranges shorter than minChunk per thread run inline. */
    public static void forRange(int n, int minChunk, RangeBody body) {
        int chunks = IN_SHARD.get()[0] ? 1 : Math.min(THREADS, Math.max(1, n / Math.max(1, minChunk)));
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
