package dev.convexcnn.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelShardsTest {
    @Test
    void everyShardRunsOnceAndRangesInsideCoverTheirWholeRange() {
        for (boolean concurrent : new boolean[] {false, true}) {
            for (int n = 0; n <= 5; n++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, n));
                int[][] covered = new int[Math.max(1, n)][1000];
                Parallel.shards(n, concurrent, k -> {
                    runs.incrementAndGet(k);
                    Parallel.forRange(1000, 1, (from, to) -> {
                        for (int i = from; i < to; i++) covered[k][i]++;
                    });
                });
                for (int k = 0; k < n; k++) {
                    assertEquals(1, runs.get(k), "shard " + k + " of " + n);
                    for (int i = 0; i < 1000; i++) assertEquals(1, covered[k][i]);
                }
            }
        }
    }

    @Test
    void rangesInsideAConcurrentShardStayOnItsThread() {
        Thread[][] seen = new Thread[2][100];
        Thread[] shardThread = new Thread[2];
        Parallel.shards(2, true, k -> {
            shardThread[k] = Thread.currentThread();
            Parallel.forRange(100, 1, (from, to) -> {
                for (int i = from; i < to; i++) seen[k][i] = Thread.currentThread();
            });
        });
        for (int k = 0; k < 2; k++) for (Thread t : seen[k]) assertEquals(shardThread[k], t);
        // Outside a shard again, ranges split as before.
        int[] hits = new int[1000];
        Parallel.forRange(1000, 1, (from, to) -> {
            for (int i = from; i < to; i++) hits[i]++;
        });
        int[] ones = new int[1000];
        java.util.Arrays.fill(ones, 1);
        assertArrayEquals(ones, hits);
    }

    @Test
    void aFailingShardFailsTheCallAfterTheOthersFinish() {
        AtomicIntegerArray done = new AtomicIntegerArray(3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.shards(3, true, k -> {
            if (k == 1) throw new IllegalStateException("shard 1");
            done.set(k, 1);
        }));
        assertTrue(e.getMessage().contains("shard 1"), e.getMessage());
        assertTrue(done.get(0) == 1 && done.get(2) == 1);
    }

    @Test
    void eitherOfTwoShardsFailsTheCallAndTheOtherStillRunsManyTimesOver() {
        for (int failing = -1; failing < 2; failing++) {
            for (int round = 0; round < 200; round++) {
                final int f = failing;
                long[] sums = new long[2];
                Runnable call = () -> Parallel.shards(2, true, k -> {
                    if (k == f) throw new IllegalStateException("shard " + k);
                    for (int i = 0; i <= 1000 * (k + 1); i++) sums[k] += i;
                });
                if (failing < 0) {
                    call.run();
                    assertEquals(500500L, sums[0]);
                    assertEquals(2001000L, sums[1]);
                } else {
                    IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
                    assertTrue(e.getMessage().contains("shard " + failing), e.getMessage());
                    assertEquals(failing == 0 ? 2001000L : 500500L, sums[1 - failing], "the other shard still ran");
                }
            }
        }
    }

    @Test
    void twoShardCallsFromTwoThreadsAndNestedCallsAllRunEveryShardOnce() throws Exception {
        AtomicIntegerArray runs = new AtomicIntegerArray(8);
        Runnable nested = () -> Parallel.shards(2, true, k -> {
            runs.incrementAndGet(k);
            Parallel.shards(2, true, j -> runs.incrementAndGet(2 + 2 * k + j));
        });
        Thread other = new Thread(() -> {
            for (int i = 0; i < 100; i++) nested.run();
        });
        other.start();
        for (int i = 0; i < 100; i++) nested.run();
        other.join();
        for (int k = 0; k < 6; k++) assertEquals(200, runs.get(k), "shard counter " + k);
    }

    @Test
    void blasSingleThreadedScopeRestoresTheCount() {
        int before = BlasThreads.current();
        try (BlasThreads.Scope s = BlasThreads.singleThreaded()) {
            if (BlasThreads.controllable()) {
                assertTrue(s.single());
                assertEquals(1, BlasThreads.current());
                // A second (nested or concurrent) scope keeps it at one until the last one closes.
                BlasThreads.Scope inner = BlasThreads.singleThreaded();
                assertTrue(inner.single());
                inner.close();
                inner.close();
                assertEquals(1, BlasThreads.current());
            }
        }
        assertEquals(before, BlasThreads.current());
    }
}
