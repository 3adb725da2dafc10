package dev.convexcnn.convex;

import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.util.List;

/**
 * The two-layer CNN with average pooling recovered from {@link PooledReluProgram}: neurons with filter u, each
 * feeding pooled output m of class k with weight v. Output Σ v (1/|m|) Σ_{p∈m} (z_p·u)₊; objective
 * loss + (β/2) Σ (‖u‖² + v²), which for neurons with one output weight is β Σ ‖u‖‖v‖₁ at balance.
 */
public record PooledReluNetwork(PatchGeometry geometry, int window, int classes, List<Neuron> neurons) {
    public record Neuron(double[] filter, int pool, int cls, double output) {}

    public double weightDecay() {
        double s = 0;
        for (Neuron n : neurons) {
            for (double u : n.filter()) s += u * u;
            s += n.output() * n.output();
        }
        return s / 2;
    }

    /** Logits (n × c) of the samples whose patches are given (n·P × h). */
    public double[] predict(double[] patches, int n) {
        var conv = geometry.conv();
        int oh = conv.outHeight(), ow = conv.outWidth(), mw = ow / window, P = geometry.patches(), h = geometry.patchSize();
        double[] out = new double[n * classes];
        for (int i = 0; i < n; i++) {
            for (Neuron ne : neurons) {
                int my = ne.pool() / mw, mx = ne.pool() % mw;
                double s = 0;
                for (int py = my * window; py < (my + 1) * window; py++) for (int px = mx * window; px < (mx + 1) * window; px++) {
                    int p = py * ow + px;
                    double dot = 0;
                    for (int t = 0; t < h; t++) dot += patches[(i * P + p) * h + t] * ne.filter()[t];
                    s += Math.max(0, dot);
                }
                out[i * classes + ne.cls()] += ne.output() * s / (window * window);
            }
        }
        return out;
    }

    /**
     * As an nn network: conv(N filters) - relu - avgpool(window) - linear(c), the linear layer reading neuron a's
     * pool m only (flatten order: channel, row, column).
     */
    public Sequential toSequential() {
        int m = neurons.size();
        if (m == 0) throw new IllegalStateException("no active neuron: lambda is too large for this data");
        var conv = geometry.conv();
        int mh = conv.outHeight() / window, mw = conv.outWidth() / window;
        int kk = geometry.kernel(), ch = geometry.channels(), h = geometry.patchSize();
        String spec = "conv" + m + "k" + kk + (geometry.stride() != 1 ? "s" + geometry.stride() : "")
                + "-relu-avgpool" + window + "-linear" + classes;
        Sequential net = Sequential.of(spec, new Shape(geometry.height(), geometry.width(), ch), classes);
        Layer c = net.layers().get(0), lin = net.layers().get(3);
        float[] w = c.params().get(0).value(), b = c.params().get(1).value(), lw = lin.params().get(0).value();
        java.util.Arrays.fill(lw, 0f);
        java.util.Arrays.fill(lin.params().get(1).value(), 0f);
        int in = m * mh * mw;
        for (int a = 0; a < m; a++) {
            Neuron ne = neurons.get(a);
            for (int ky = 0; ky < kk; ky++) for (int kx = 0; kx < kk; kx++) for (int cc = 0; cc < ch; cc++) {
                w[((a * ch + cc) * kk + ky) * kk + kx] = (float) ne.filter()[(ky * kk + kx) * ch + cc];
            }
            b[a] = geometry.bias() ? (float) ne.filter()[h - 1] : 0f;
            lw[ne.cls() * in + a * mh * mw + ne.pool()] = (float) ne.output();
        }
        return net;
    }
}
