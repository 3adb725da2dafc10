package dev.convexcnn.alternation;

import java.util.Arrays;

/**
 * The binary state of a network on a dataset: for every chunk of samples and every thresholding layer, the
 * support bits s = 1[z &gt; τ] in that layer's layout [channel][row][column][sample]. The concatenation over the
 * layers is what the paper calls the multi-layer support.
 */
public final class MultiLayerSupport {
    private final long[][][] masks; // [chunk][thresholding layer][words]

    /** Empty supports for chunks of the given sizes (samples) and layers of the given sizes (values per sample). */
    public MultiLayerSupport(int[] chunkSamples, int[] layerSizes) {
        masks = new long[chunkSamples.length][layerSizes.length][];
        for (int c = 0; c < chunkSamples.length; c++) {
            for (int t = 0; t < layerSizes.length; t++) {
                masks[c][t] = new long[PositiveHardThreshold.words(Math.multiplyExact(chunkSamples[c], layerSizes[t]))];
            }
        }
    }

    public int chunks() { return masks.length; }
    public int layers() { return masks.length == 0 ? 0 : masks[0].length; }

    /** The bits of one chunk and layer (not a copy). */
    public long[] mask(int chunk, int layer) { return masks[chunk][layer]; }

    /** How many units are on, over all chunks and layers. */
    public long activeCount() {
        long n = 0;
        for (long[][] c : masks) for (long[] m : c) for (long w : m) n += Long.bitCount(w);
        return n;
    }

    /** How many unit states differ from other's (same shape). */
    public long differences(MultiLayerSupport other) {
        long n = 0;
        for (int c = 0; c < masks.length; c++) {
            for (int t = 0; t < masks[c].length; t++) {
                long[] a = masks[c][t], b = other.masks[c][t];
                for (int i = 0; i < a.length; i++) n += Long.bitCount(a[i] ^ b[i]);
            }
        }
        return n;
    }

    /** Copies other's bits into this (same shape). */
    public void copyFrom(MultiLayerSupport other) {
        for (int c = 0; c < masks.length; c++) {
            for (int t = 0; t < masks[c].length; t++) {
                System.arraycopy(other.masks[c][t], 0, masks[c][t], 0, masks[c][t].length);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MultiLayerSupport m && Arrays.deepEquals(masks, m.masks);
    }

    @Override
    public int hashCode() { return Arrays.deepHashCode(masks); }
}
