package dev.convexcnn.convex;

import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.optim.GroupLasso;
import java.util.ArrayList;
import java.util.List;

/**
 * The ordinary two-layer ReLU CNN recovered from a solution of the exact program: for every nonzero group
 * c = V_{j,k} (or V′_{j,k}) a neuron with filter u = c/√‖c‖ feeding class k with weight v = √‖c‖ (−√‖c‖ for V′).
 * Its output is Σ_neurons Σ_p (z_p·u)₊ v, and its weight-decay objective loss + (λ/2) Σ (‖u‖² + v²) equals the
 * convex objective at the solution when the constraints hold. Over windowed gates ({@link Gates#windowed}) a
 * neuron sees only its gate's A×A window, averaged: Σ (1/A²) Σ_{p∈m} (z_p·u)₊ v, the average-pooling CNN
 * conv-ReLU-avgpool(A)-linear whose linear layer reads each neuron's own window.
 *
 * @param filters  m × h, row-major (patch order (ky, kx, c), then the bias entry when the geometry has one)
 * @param outputs  m × c, row-major
 * @param window   A, or 0: every neuron sums over all positions
 * @param pools    each neuron's window (null when window is 0)
 */
public record ReluNetwork(PatchGeometry geometry, int neurons, int classes, double[] filters, double[] outputs, int window, int[] pools) {
    public ReluNetwork {
        if ((window == 0) != (pools == null) || (pools != null && pools.length != neurons)) {
            throw new IllegalArgumentException("a windowed network needs one window per neuron, and only it");
        }
    }

    /** A network whose neurons sum over all positions. */
    public ReluNetwork(PatchGeometry geometry, int neurons, int classes, double[] filters, double[] outputs) {
        this(geometry, neurons, classes, filters, outputs, 0, null);
    }

    public static ReluNetwork recover(double[] x, int gates, int size, int classes, PatchGeometry geometry) {
        return recover(x, new Gates(size, gates, new double[size * gates]), classes, geometry);
    }

    /** The network of x = [V; V′] over these gates (windowed or not). */
    public static ReluNetwork recover(double[] x, Gates gateSet, int classes, PatchGeometry geometry) {
        int gates = gateSet.count(), size = gateSet.patchSize();
        GroupLasso groups = new GroupLasso(2, gates, size, classes, 0);
        List<double[]> us = new ArrayList<>();
        List<double[]> vs = new ArrayList<>();
        List<Integer> windows = new ArrayList<>();
        for (int g = 0; g < groups.groups(); g++) {
            double nrm = groups.norm(x, g);
            if (nrm == 0) continue;
            int block = g / (gates * classes), k = g % classes;
            double root = Math.sqrt(nrm);
            double[] u = new double[size];
            for (int t = 0; t < size; t++) u[t] = x[groups.index(g, t)] / root;
            double[] v = new double[classes];
            v[k] = block == 0 ? root : -root;
            us.add(u);
            vs.add(v);
            if (gateSet.windowed()) windows.add(gateSet.pools()[(g / classes) % gates]);
        }
        int m = us.size();
        double[] f = new double[m * size], o = new double[m * classes];
        for (int i = 0; i < m; i++) {
            System.arraycopy(us.get(i), 0, f, i * size, size);
            System.arraycopy(vs.get(i), 0, o, i * classes, classes);
        }
        return gateSet.windowed() ? new ReluNetwork(geometry, m, classes, f, o, gateSet.window(), windows.stream().mapToInt(Integer::intValue).toArray())
                : new ReluNetwork(geometry, m, classes, f, o);
    }

    /** A windowed network as the average-pooling CNN's neurons (one output weight each, as recovered). */
    PooledReluNetwork pooled() {
        int h = geometry.patchSize();
        List<PooledReluNetwork.Neuron> list = new ArrayList<>();
        for (int a = 0; a < neurons; a++) {
            int cls = -1;
            for (int k = 0; k < classes; k++) {
                if (outputs[a * classes + k] == 0) continue;
                if (cls >= 0) throw new IllegalStateException("neuron " + a + " of a windowed network feeds more than one class");
                cls = k;
            }
            if (cls < 0) continue;
            list.add(new PooledReluNetwork.Neuron(java.util.Arrays.copyOfRange(filters, a * h, (a + 1) * h), pools[a], cls, outputs[a * classes + cls]));
        }
        return new PooledReluNetwork(geometry, window, classes, list);
    }

    /** (1/2) Σ (‖u‖² + v²): the weight decay term without λ. */
    public double weightDecay() {
        double s = 0;
        for (double u : filters) s += u * u;
        for (double v : outputs) s += v * v;
        return s / 2;
    }

    /** Predictions (n × c) for the samples whose patches are given (n·P × h, as {@link PatchPatterns} holds them). */
    public double[] predict(double[] patches, int samples) {
        int P = geometry.patches(), h = geometry.patchSize();
        double[] act = new double[P * neurons];
        double[] out = new double[samples * classes];
        for (int i = 0; i < samples; i++) {
            dev.convexcnn.linalg.Gemm.dgemm(false, true, P, neurons, h, 1, patches, i * P * h, h, filters, 0, h, 0, act, 0, neurons);
            for (int a = 0; a < neurons; a++) {
                double s = 0;
                if (window > 0) {
                    int ow = geometry.conv().outWidth(), mw = ow / window, my = pools[a] / mw, mx = pools[a] % mw;
                    for (int py = my * window; py < (my + 1) * window; py++) {
                        for (int px = mx * window; px < (mx + 1) * window; px++) s += Math.max(0, act[(py * ow + px) * neurons + a]);
                    }
                    s /= (double) window * window;
                } else {
                    for (int p = 0; p < P; p++) s += Math.max(0, act[p * neurons + a]);
                }
                for (int k = 0; k < classes; k++) out[i * classes + k] += s * outputs[a * classes + k];
            }
        }
        return out;
    }

    /**
     * The same network as an {@link Sequential}: conv(m filters, k, stride) - relu - avgpool(whole map) -
     * linear(c). The linear weights are v·P, since the pool averages where the network sums. Windowed:
     * conv - relu - avgpool(A) - linear, each neuron's weight on its own window ({@link PooledReluNetwork}).
     */
    public Sequential toSequential() {
        if (neurons == 0) throw new IllegalStateException("no active neuron: lambda is too large for this data");
        if (window > 0) return pooled().toSequential();
        var conv = geometry.conv();
        if (conv.outHeight() != conv.outWidth()) {
            throw new IllegalStateException("the recovered network needs a square feature map, got "
                    + conv.outHeight() + "x" + conv.outWidth());
        }
        String spec = "conv" + neurons + "k" + geometry.kernel() + (geometry.stride() != 1 ? "s" + geometry.stride() : "")
                + "-relu-avgpool" + conv.outHeight() + "-linear" + classes;
        Sequential net = Sequential.of(spec, new Shape(geometry.height(), geometry.width(), geometry.channels()), classes);
        Layer c = net.layers().get(0), lin = net.layers().get(3);
        float[] w = c.params().get(0).value(), b = c.params().get(1).value();
        int kk = geometry.kernel(), ch = geometry.channels(), h = geometry.patchSize(), P = geometry.patches();
        for (int a = 0; a < neurons; a++) {
            for (int ky = 0; ky < kk; ky++) {
                for (int kx = 0; kx < kk; kx++) {
                    for (int cc = 0; cc < ch; cc++) {
                        // Patch order (ky, kx, c) to PyTorch's (filter, c, ky, kx).
                        w[((a * ch + cc) * kk + ky) * kk + kx] = (float) filters[a * h + (ky * kk + kx) * ch + cc];
                    }
                }
            }
            b[a] = geometry.bias() ? (float) filters[a * h + h - 1] : 0f;
        }
        Param lw = lin.params().get(0);
        float[] lv = lw.value();
        for (int k = 0; k < classes; k++) {
            for (int a = 0; a < neurons; a++) lv[k * neurons + a] = (float) (outputs[a * classes + k] * P);
        }
        java.util.Arrays.fill(lin.params().get(1).value(), 0f);
        return net;
    }
}
