package dev.convexcnn.nn;

/** The shape of one sample between layers, channels-last. A flat vector is 1 × 1 × features. */
public record Shape(int height, int width, int channels) {
    public Shape {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("shape must be positive, got " + height + "x" + width + "x" + channels);
        }
    }

    public static Shape vector(int features) { return new Shape(1, 1, features); }

    public int size() { return height * width * channels; }

    @Override
    public String toString() { return height + "x" + width + "x" + channels; }
}
