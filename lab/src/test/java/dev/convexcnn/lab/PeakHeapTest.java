package dev.convexcnn.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The peak heap after GC counts what is live, not garbage; the RSS peak is readable on Linux. */
class PeakHeapTest {
    static volatile Object sink;

    @Test
    void garbageDoesNotCountAndLiveDataDoes() {
        PeakHeap.reset();
        long base = PeakHeap.bytes();
        // 1 GiB of short-lived garbage, 16 MiB at a time: the pools' peaks would see much of it.
        for (int i = 0; i < 64; i++) sink = new double[2 << 20];
        sink = null;
        long afterGarbage = PeakHeap.bytes() - base;
        assertTrue(afterGarbage < 64L << 20, "garbage counted: " + (afterGarbage >> 20) + " MiB");
        PeakHeap.reset();
        base = PeakHeap.bytes();
        double[] live = new double[16 << 20]; // 128 MiB kept
        sink = live;
        long afterLive = PeakHeap.bytes() - base;
        assertTrue(afterLive >= 120L << 20, "live array missed: " + (afterLive >> 20) + " MiB");
        sink = null;
        if (System.getProperty("os.name").toLowerCase().contains("linux")) assertTrue(PeakHeap.rssBytes() > 0);
    }
}
