package dev.convexcnn.linalg;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that runs the second of two shards, handed over without a pool: it spins for a short while after
 * each shard before it parks, so the next handover (the backward half of the same batch, the next batch) starts
 * in about a microsecond instead of a park/unpark round trip (0.2–0.4 ms on a virtual machine, twice per SGD batch:
 * a tenth of the reference epoch). One caller at a time ({@link #tryTake}); others use the pool.
 */
final class ShardPartner {
    /** How long the partner spins for the next shard, and the caller for the partner's end, before they park or yield. */
    private static final long SPIN_NANOS = 2_000_000L;

    private static volatile ShardPartner instance;

    private final AtomicBoolean taken = new AtomicBoolean();
    private final Thread thread;
    private volatile Runnable task;
    private volatile boolean done;
    private volatile Throwable failure;
    private volatile Thread waiter;

    private ShardPartner() {
        thread = new Thread(this::loop, "convexcnn-shard-partner");
        thread.setDaemon(true);
        thread.start();
    }

    /** The partner, reserved for the caller, or null when another caller holds it. */
    static ShardPartner tryTake() {
        ShardPartner p = instance;
        if (p == null) {
            synchronized (ShardPartner.class) {
                if (instance == null) instance = new ShardPartner();
                p = instance;
            }
        }
        return p.taken.compareAndSet(false, true) ? p : null;
    }

    void release() {
        taken.set(false);
    }

    /** Starts r on the partner thread; {@link #await} waits for it. */
    void start(Runnable r) {
        done = false;
        failure = null;
        waiter = Thread.currentThread();
        task = r;
        LockSupport.unpark(thread);
    }

    /** Waits for the shard started last; rethrows what it threw. */
    void await() {
        long t0 = System.nanoTime();
        while (!done) {
            if (System.nanoTime() - t0 < SPIN_NANOS) Thread.onSpinWait();
            else LockSupport.parkNanos(this, 50_000L);
        }
        Throwable f = failure;
        if (f instanceof RuntimeException e) throw e;
        if (f instanceof Error e) throw e;
    }

    private void loop() {
        while (true) {
            Runnable r = task;
            if (r == null) {
                long t0 = System.nanoTime();
                while ((r = task) == null && System.nanoTime() - t0 < SPIN_NANOS) Thread.onSpinWait();
                if (r == null) {
                    LockSupport.park(this);
                    continue;
                }
            }
            task = null;
            try {
                r.run();
            } catch (Throwable t) {
                failure = t;
            }
            done = true;
            Thread w = waiter;
            if (w != null) LockSupport.unpark(w);
        }
    }
}
