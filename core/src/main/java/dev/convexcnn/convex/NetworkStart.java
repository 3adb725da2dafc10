package dev.convexcnn.convex;

import dev.convexcnn.data.Normalization;
import dev.convexcnn.model.ModelStore;
import dev.convexcnn.model.NetworkModel;
import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Linear;
import dev.convexcnn.nn.Pool2d;
import dev.convexcnn.nn.Relu;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.optim.GroupLasso;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained two-layer CNN (conv m·k×k stride s, ReLU, average pool over the whole map, linear c) as a start of the
 * two-layer convex programs. Its neurons' activation patterns (gate g_j = u_j) join the sampled ones, plus an
 * all-on pattern for the output bias, and its weights become a point of the program with the same predictions:
 * neuron j with output weights v_j ∈ R^c is split into one neuron per class (the program's groups), each at its
 * least weight decay ‖u_j‖·|v_jk|, and output bias b_k becomes a neuron on the patch's constant entry. The
 * program's optimum over a pattern set that includes these patterns is therefore at most that point's objective:
 * the network's loss plus λ·Σ_jk ‖u_j‖|v_jk| + λ·Σ_k |b_k|/P. With dense output weights this penalty can exceed
 * the network's own weight decay λ/2·Σ(‖u‖² + ‖v‖²) (by up to √c); both are reported.
 */
public final class NetworkStart {
    private final String source;
    private final int neurons, classes, size, positions;
    private final double[] filters;     // m × h in the program's patch space (bias entry last)
    private final double[] outputs;     // m × c, the network's linear weights over P (the program sums, the pool averages)
    private final double[] outputBias;  // c
    private final double ownWeightDecay; // (1/2) Σ (‖u‖² + ‖v‖²) of the network as trained (conv bias in u)

    private NetworkStart(String source, int neurons, int classes, int size, int positions, double[] filters,
                         double[] outputs, double[] outputBias, double ownWeightDecay) {
        this.source = source;
        this.neurons = neurons;
        this.classes = classes;
        this.size = size;
        this.positions = positions;
        this.filters = filters;
        this.outputs = outputs;
        this.outputBias = outputBias;
        this.ownWeightDecay = ownWeightDecay;
    }

    /** The kernel and stride of the model's conv, to adopt when the user gave none. */
    public static int[] kernelAndStride(Path path) throws IOException {
        Conv2d conv = layers(path).conv;
        return new int[] {conv.geometry().kernelH(), conv.geometry().stride()};
    }

    private record Layers(Sequential net, Normalization normalization, Conv2d conv, Pool2d pool, Linear linear) {}

    private static Layers layers(Path path) throws IOException {
        String flag = "--patterns-from " + path + ": ";
        ModelStore.Stored stored = ModelStore.load(path);
        if (!(stored.model() instanceof NetworkModel nm)) {
            throw new IllegalArgumentException(flag + "holds a " + stored.model().kind() + " model; it needs a two-layer CNN "
                    + "trained by sgd or adam (conv-relu-avgpool-linear)");
        }
        Sequential net = nm.net();
        List<Layer> ls = net.layers();
        String want = "conv<m>k<k>[s<s>]-relu-avgpool<whole map>-linear<classes>";
        if (ls.size() != 4 || !(ls.get(0) instanceof Conv2d conv) || !(ls.get(1) instanceof Relu)
                || !(ls.get(2) instanceof Pool2d pool) || !(ls.get(3) instanceof Linear linear)) {
            throw new IllegalArgumentException(flag + "architecture " + net.spec() + " is not " + want);
        }
        var g = conv.geometry();
        if (g.padding() != 0) throw new IllegalArgumentException(flag + "the conv has padding " + g.padding() + "; the program's patches have none (" + want + ")");
        if (g.kernelH() != g.kernelW()) throw new IllegalArgumentException(flag + "the conv kernel is not square");
        if (pool.kind() != Pool2d.Kind.AVG || pool.spec().equals("avgpool" + g.outHeight()) == false || g.outHeight() != g.outWidth()) {
            throw new IllegalArgumentException(flag + "architecture " + net.spec() + ": the pool must average the whole "
                    + g.outHeight() + "x" + g.outWidth() + " map (avgpool" + g.outHeight() + ")");
        }
        return new Layers(net, nm.normalization(), conv, pool, linear);
    }

    /**
     * Reads the model at path and maps it into the program's patch space: geometry and normalisation of the
     * training data the program uses. Mismatches are refused naming the flag and what differs.
     */
    public static NetworkStart load(Path path, PatchGeometry geom, Normalization norm, int classes) throws IOException {
        String flag = "--patterns-from " + path + ": ";
        Layers l = layers(path);
        var g = l.conv.geometry();
        if (g.height() != geom.height() || g.width() != geom.width() || g.channels() != geom.channels()) {
            throw new IllegalArgumentException(flag + "the network takes " + g.height() + "x" + g.width() + "x" + g.channels()
                    + " images, the data has " + geom.height() + "x" + geom.width() + "x" + geom.channels());
        }
        if (g.kernelH() != geom.kernel() || g.stride() != geom.stride()) {
            throw new IllegalArgumentException(flag + "the network's conv is " + g.kernelH() + "x" + g.kernelH() + " stride "
                    + g.stride() + ", the program's patches " + geom.kernel() + "x" + geom.kernel() + " stride " + geom.stride()
                    + " (give --kernel " + g.kernelH() + " --stride " + g.stride() + ", or neither)");
        }
        if (l.net.outputs() != classes) {
            throw new IllegalArgumentException(flag + "the network has " + l.net.outputs() + " outputs, the data " + classes + " classes");
        }
        int m = l.conv.params().get(0).size() / g.patchSize(), k = g.kernelH(), ch = g.channels(), h = geom.patchSize(), P = g.patches();
        float[] w = l.conv.params().get(0).value(), b = l.conv.params().get(1).value();
        float[] lw = l.linear.params().get(0).value(), lb = l.linear.params().get(1).value();
        // x_net = a_c·x_prog + o_c per channel: the two normalisations of the same pixels.
        Normalization nn = l.normalization;
        double[] a = new double[ch], o = new double[ch];
        for (int c = 0; c < ch; c++) {
            a[c] = (double) norm.std()[c] / nn.std()[c];
            o[c] = ((double) norm.mean()[c] - nn.mean()[c]) / nn.std()[c];
        }
        double[] f = new double[m * h];
        double decay = 0;
        for (int j = 0; j < m; j++) {
            double bias = b[j];
            decay += bias * bias;
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    for (int c = 0; c < ch; c++) {
                        double wt = w[((j * ch + c) * k + ky) * k + kx];
                        decay += wt * wt;
                        f[j * h + (ky * k + kx) * ch + c] = wt * a[c];
                        bias += wt * o[c];
                    }
                }
            }
            if (geom.bias()) {
                f[j * h + h - 1] = bias;
            } else if (bias != 0) {
                throw new IllegalArgumentException(flag + "its neurons have biases; the program's patches need the constant entry (drop --no-bias)");
            }
        }
        double[] v = new double[m * classes], ob = new double[classes];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < m; j++) {
                double wt = lw[c * m + j];
                decay += wt * wt;
                v[j * classes + c] = wt / P;
            }
            ob[c] = lb[c];
            if (ob[c] != 0 && !geom.bias()) {
                throw new IllegalArgumentException(flag + "its linear layer has a bias; the program represents it on the patches' constant entry (drop --no-bias)");
            }
        }
        return new NetworkStart(path.toString(), m, classes, h, P, f, v, ob, decay / 2);
    }

    public String source() { return source; }
    public int neurons() { return neurons; }

    /** The network's own weight decay (1/2)Σ(‖u‖² + ‖v‖²), biases of the conv included, output bias not. */
    public double ownWeightDecay() { return ownWeightDecay; }

    /** The patterns the network's neurons switch, then the all-on pattern of the output bias (when patches have a bias entry). */
    public Gates gates(boolean biasEntry) {
        int p = neurons + (biasEntry ? 1 : 0);
        double[] g = new double[size * p];
        for (int j = 0; j < neurons; j++) {
            for (int t = 0; t < size; t++) g[t * p + j] = filters[j * size + t];
        }
        if (biasEntry) g[(size - 1) * p + neurons] = 1;
        return new Gates(size, p, g);
    }

    /**
     * The network as a point of the program whose gates are the kept ones of sampled ++ {@link #gates}: kept[i] is
     * the index in that concatenation of the program's gate i, first is the number of sampled gates. blocks is 2
     * for the exact program (nonnegative and nonpositive outputs apart), 1 for the gated one (signed).
     */
    public double[] point(int[] kept, int first, int blocks) {
        int p = kept.length;
        GroupLasso layout = new GroupLasso(blocks, p, size, classes, 0);
        double[] x = new double[layout.dimension()];
        for (int i = 0; i < p; i++) {
            int j = kept[i] - first;
            if (j < 0) continue;                                   // a sampled pattern: zero there
            for (int k = 0; k < classes; k++) {
                double vk = j < neurons ? outputs[j * classes + k] : outputBias[k] / positions;
                if (vk == 0) continue;
                int block = blocks == 2 && vk < 0 ? 1 : 0;
                double scale = blocks == 2 ? Math.abs(vk) : vk;
                int g = (block * p + i) * classes + k;
                for (int t = 0; t < size; t++) {
                    double u = j < neurons ? filters[j * size + t] : (t == size - 1 ? 1 : 0);
                    x[layout.index(g, t)] = u * scale;
                }
            }
        }
        return x;
    }
}
