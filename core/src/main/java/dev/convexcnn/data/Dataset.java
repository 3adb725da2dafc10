package dev.convexcnn.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A labelled image set held in memory. Pixels are floats in [0, 1], stored sample after sample in
 * channels-last order (height × width × channels), which is the layout every layer of {@code nn} uses.
 * Normalisation is not applied here: see {@link Normalization}.
 */
public final class Dataset {
    private final String name;
    private final int height;
    private final int width;
    private final int channels;
    private final int classes;
    private final float[] pixels;
    private final int[] labels;
    private volatile String sha256;

    public Dataset(String name, int height, int width, int channels, int classes, float[] pixels, int[] labels) {
        this.name = Objects.requireNonNull(name, "name");
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("image shape must be positive, got " + height + "x" + width + "x" + channels);
        }
        if (classes <= 0) {
            throw new IllegalArgumentException("classes must be positive, got " + classes);
        }
        int features = height * width * channels;
        if (pixels.length != (long) labels.length * features) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixels do not make " + labels.length
                    + " images of " + features);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of sample " + i
                        + " is outside 0.." + (classes - 1));
            }
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.classes = classes;
        this.pixels = pixels;
        this.labels = labels;
    }

    public String name() { return name; }
    public int height() { return height; }
    public int width() { return width; }
    public int channels() { return channels; }
    public int classes() { return classes; }
    /** Number of samples. */
    public int size() { return labels.length; }
    /** Values per sample: height × width × channels. */
    public int features() { return height * width * channels; }
    /** The backing pixel array (not a copy): sample i occupies [i·features, (i+1)·features). */
    public float[] pixels() { return pixels; }
    /** The backing label array (not a copy). */
    public int[] labels() { return labels; }
    public int label(int i) { return labels[i]; }

    /** The samples at the given indices, in that order, as a new dataset. */
    public Dataset subset(int[] indices, String newName) {
        int f = features();
        float[] p = new float[indices.length * f];
        int[] l = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            System.arraycopy(pixels, i * f, p, k * f, f);
            l[k] = labels[i];
        }
        return new Dataset(newName, height, width, channels, classes, p, l);
    }

    /** The same samples under another name (the arrays are shared, not copied). */
    public Dataset renamed(String newName) {
        return new Dataset(newName, height, width, channels, classes, pixels, labels);
    }

    /** The first n samples. */
    public Dataset head(int n) {
        if (n >= size()) return this;
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        return subset(idx, name + "[:" + n + "]");
    }

    /**
     * SHA-256 of the content (shape, class count, labels and pixels as IEEE floats, little-endian), in hex: the
     * identity of the data a model was trained on, whatever file it came from. Computed once (~0.5 s for MNIST).
     */
    public String sha256() {
        String h = sha256;
        if (h != null) return h;
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.putInt(height).putInt(width).putInt(channels).putInt(classes).putInt(labels.length);
            for (int y : labels) {
                if (b.remaining() < 4) { md.update(b.array(), 0, b.position()); b.clear(); }
                b.putInt(y);
            }
            for (float v : pixels) {
                if (b.remaining() < 4) { md.update(b.array(), 0, b.position()); b.clear(); }
                b.putFloat(v);
            }
            md.update(b.array(), 0, b.position());
            h = java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha256 = h;
        return h;
    }

    /** How many samples each class has. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int y : labels) counts[y]++;
        return counts;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " × " + height + "×" + width + "×" + channels + ", " + classes + " classes)";
    }
}
