package dev.convexcnn.convex;

import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.util.List;

/**
 * The three-layer CNN with two ReLU layers recovered from {@link ThreeLayerProgram}: units
 * (Σ_l w_l Σ_p (z_p·u_l)₊)₊ v, each feeding one class. Its objective is loss + (β/2) Σ (‖w‖² + v²) under ‖u_l‖ ≤ 1.
 *
 * @param filters m₁ first-layer filters per unit
 */
public record ThreeLayerCnn(PatchGeometry geometry, int filters, int classes, List<Unit> units) {
    /** Filters (m₁ × h, patch order then bias), second-layer weights w (m₁), output weight v into class cls. */
    public record Unit(double[] filters, double[] weights, double output, int cls) {}

    public double weightDecay() {
        double s = 0;
        for (Unit u : units) {
            for (double w : u.weights()) s += w * w;
            s += u.output() * u.output();
        }
        return s / 2;
    }

    public double maxFilterNorm() {
        int h = geometry.patchSize();
        double m = 0;
        for (Unit u : units) for (int l = 0; l < filters; l++) {
            double s = 0;
            for (int t = 0; t < h; t++) s += u.filters()[l * h + t] * u.filters()[l * h + t];
            m = Math.max(m, Math.sqrt(s));
        }
        return m;
    }

    /** Logits (n × c) of the samples whose patches are given (n·P × h). */
    public double[] predict(double[] patches, int n) {
        int P = geometry.patches(), h = geometry.patchSize();
        double[] out = new double[n * classes];
        for (int i = 0; i < n; i++) {
            for (Unit u : units) {
                double pre = 0;
                for (int l = 0; l < filters; l++) {
                    double s = 0;
                    for (int p = 0; p < P; p++) {
                        double dot = 0;
                        for (int t = 0; t < h; t++) dot += patches[(i * P + p) * h + t] * u.filters()[l * h + t];
                        s += Math.max(0, dot);
                    }
                    pre += u.weights()[l] * s;
                }
                out[i * classes + u.cls()] += Math.max(0, pre) * u.output();
            }
        }
        return out;
    }

    /**
     * As an nn network: conv(U·m₁ filters) - relu - avgpool(whole map) - linear(U) - relu - linear(c). The middle
     * linear layer is block-diagonal (unit a reads only its own m₁ channels) with weights w·P, since the pool
     * averages where the unit sums.
     */
    public Sequential toSequential() {
        int m = units.size();
        if (m == 0) throw new IllegalStateException("no active unit: lambda is too large for this data");
        var conv = geometry.conv();
        if (conv.outHeight() != conv.outWidth()) throw new IllegalStateException("the recovered network needs a square feature map");
        int f = m * filters, kk = geometry.kernel(), ch = geometry.channels(), h = geometry.patchSize(), P = geometry.patches();
        String spec = "conv" + f + "k" + kk + (geometry.stride() != 1 ? "s" + geometry.stride() : "")
                + "-relu-avgpool" + conv.outHeight() + "-linear" + m + "-relu-linear" + classes;
        Sequential net = Sequential.of(spec, new Shape(geometry.height(), geometry.width(), ch), classes);
        Layer c = net.layers().get(0), mid = net.layers().get(3), last = net.layers().get(5);
        float[] w = c.params().get(0).value(), b = c.params().get(1).value();
        float[] mw = mid.params().get(0).value(), ow = last.params().get(0).value();
        java.util.Arrays.fill(mid.params().get(1).value(), 0f);
        java.util.Arrays.fill(last.params().get(1).value(), 0f);
        java.util.Arrays.fill(mw, 0f);
        java.util.Arrays.fill(ow, 0f);
        for (int a = 0; a < m; a++) {
            Unit u = units.get(a);
            for (int l = 0; l < filters; l++) {
                int fi = a * filters + l;
                for (int ky = 0; ky < kk; ky++) for (int kx = 0; kx < kk; kx++) for (int cc = 0; cc < ch; cc++) {
                    w[((fi * ch + cc) * kk + ky) * kk + kx] = (float) u.filters()[l * h + (ky * kk + kx) * ch + cc];
                }
                b[fi] = geometry.bias() ? (float) u.filters()[l * h + h - 1] : 0f;
                mw[a * f + fi] = (float) (u.weights()[l] * P);
            }
            ow[u.cls() * m + a] = (float) u.output();
        }
        return net;
    }
}
