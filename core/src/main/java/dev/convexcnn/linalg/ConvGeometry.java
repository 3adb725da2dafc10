package dev.convexcnn.linalg;

/**
 * The shape arithmetic of a 2-D convolution over a channels-last image: input height × width × channels, a
 * square or rectangular kernel, one stride and one zero padding for both axes.
 */
public record ConvGeometry(int height, int width, int channels, int kernelH, int kernelW, int stride, int padding) {
    public ConvGeometry {
        if (height <= 0 || width <= 0 || channels <= 0) throw new IllegalArgumentException("input shape must be positive");
        if (kernelH <= 0 || kernelW <= 0) throw new IllegalArgumentException("kernel must be positive");
        if (stride <= 0) throw new IllegalArgumentException("stride must be positive, got " + stride);
        if (padding < 0) throw new IllegalArgumentException("padding must be >= 0, got " + padding);
        if (height + 2 * padding < kernelH || width + 2 * padding < kernelW) {
            throw new IllegalArgumentException("kernel " + kernelH + "x" + kernelW + " is larger than the padded input "
                    + (height + 2 * padding) + "x" + (width + 2 * padding));
        }
    }

    public int outHeight() { return (height + 2 * padding - kernelH) / stride + 1; }
    public int outWidth() { return (width + 2 * padding - kernelW) / stride + 1; }
    /** Patches per image: outHeight × outWidth. */
    public int patches() { return outHeight() * outWidth(); }
    /** Values per patch: kernelH × kernelW × channels, ordered (ky, kx, c). */
    public int patchSize() { return kernelH * kernelW * channels; }
    public int inputSize() { return height * width * channels; }
}
