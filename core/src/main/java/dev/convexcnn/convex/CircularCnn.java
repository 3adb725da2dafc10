package dev.convexcnn.convex;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import java.util.List;

/**
 * The circular CNN recovered from the circular program: units f_k(x) += (⟨u ⊛ x, w⟩)₊ v for class k, with u a
 * full-size filter of norm 1, ⊛ the 2-D circular convolution, w a full-size linear map and v the output weight.
 * Its objective is loss + (β/2) Σ (‖w‖² + v²) under ‖u‖ ≤ 1. The nn layers have no circular padding, so it is a
 * model of its own ({@link CircularModelFile}).
 */
public record CircularCnn(int height, int width, int classes, Normalization normalization, List<Unit> units)
        implements dev.convexcnn.model.Model {

    @Override public String kind() { return CircularModelFile.KIND; }
    @Override public dev.convexcnn.nn.Shape inputShape() { return new dev.convexcnn.nn.Shape(height, width, 1); }

    /** Per unit: its filter, its map and its output weight. */
    @Override public long parameterCount() { return (long) units.size() * (2L * height * width + 1); }

    @Override public String architecture() {
        return units.size() + " units: circular conv (full-size filters, norm <= 1) - linear - relu - linear" + classes;
    }

    /** One unit: filter u and map w (H·W each, row-major), output weight v into class k. */
    public record Unit(double[] filter, double[] map, double output, int cls) {}

    /**
     * The cheapest unit computing sign·(x·z)₊: |û_k|² ∝ |ẑ_k| with ‖u‖ = 1 (û real and even), ŵ_k = ẑ_k/û_k, then
     * w and v balanced so that ‖w‖ = |v| = √(‖ẑ‖₁/d). Its weight decay (‖w‖² + v²)/2 is ‖ẑ‖₁/d, the program's
     * penalty of z.
     */
    static Unit unitFor(RealFourier2d f, double[] z, int cls, double sign) {
        int d = f.size();
        double[] zh = f.dft(z, 0);
        double l1 = 0;
        for (int k = 0; k < d; k++) l1 += Math.hypot(zh[2 * k], zh[2 * k + 1]);
        double[] uh = new double[2 * d], wh = new double[2 * d];
        for (int k = 0; k < d; k++) {
            double mag = Math.hypot(zh[2 * k], zh[2 * k + 1]);
            if (mag == 0) continue;
            double u = Math.sqrt(d * mag / l1);
            uh[2 * k] = u;
            wh[2 * k] = zh[2 * k] / u;
            wh[2 * k + 1] = zh[2 * k + 1] / u;
        }
        double r = l1 / d, scale = 1 / Math.sqrt(r);
        double[] w = f.inverseDft(wh);
        for (int i = 0; i < d; i++) w[i] *= scale;
        return new Unit(f.inverseDft(uh), w, sign * Math.sqrt(r), cls);
    }

    /** (1/2) Σ (‖w‖² + v²): the weight decay without β. */
    public double weightDecay() {
        double s = 0;
        for (Unit u : units) {
            for (double v : u.map()) s += v * v;
            s += u.output() * u.output();
        }
        return s / 2;
    }

    /** The largest filter norm (the network's constraint is ‖u‖ ≤ 1). */
    public double maxFilterNorm() {
        double m = 0;
        for (Unit u : units) {
            double s = 0;
            for (double v : u.filter()) s += v * v;
            m = Math.max(m, Math.sqrt(s));
        }
        return m;
    }

    /**
     * Logits (n × c) of normalised images (n × H·W): ⟨u ⊛ x, w⟩ = (1/d) Re Σ_k û_k x̂_k conj(ŵ_k) by Parseval,
     * one FFT per image and the unit spectra computed once.
     */
    public double[] predict(double[] pixels, int n) {
        RealFourier2d f = new RealFourier2d(height, width);
        int d = f.size(), m = units.size();
        double[][] g = new double[m][];
        for (int a = 0; a < m; a++) {
            double[] uh = f.dft(units.get(a).filter(), 0), wh = f.dft(units.get(a).map(), 0);
            double[] p = new double[2 * d];
            for (int k = 0; k < d; k++) {
                // û·conj(ŵ)
                p[2 * k] = uh[2 * k] * wh[2 * k] + uh[2 * k + 1] * wh[2 * k + 1];
                p[2 * k + 1] = uh[2 * k + 1] * wh[2 * k] - uh[2 * k] * wh[2 * k + 1];
            }
            g[a] = p;
        }
        double[] out = new double[n * classes];
        for (int i = 0; i < n; i++) {
            double[] xh = f.dft(pixels, i * d);
            for (int a = 0; a < m; a++) {
                double[] p = g[a];
                double s = 0;
                for (int k = 0; k < d; k++) s += xh[2 * k] * p[2 * k] - xh[2 * k + 1] * p[2 * k + 1];
                double act = Math.max(0, s / d);
                Unit u = units.get(a);
                out[i * classes + u.cls()] += act * u.output();
            }
        }
        return out;
    }

    /** The same logits by the definition: the circular convolution computed directly, O(d²) per unit (tests). */
    public double[] predictDirect(double[] pixels, int n) {
        int d = height * width;
        double[] out = new double[n * classes];
        for (int i = 0; i < n; i++) {
            for (Unit u : units) {
                double[] conv = circularConvolution(u.filter(), pixels, i * d, height, width);
                double s = 0;
                for (int r = 0; r < d; r++) s += conv[r] * u.map()[r];
                out[i * classes + u.cls()] += Math.max(0, s) * u.output();
            }
        }
        return out;
    }

    /** (u ⊛ x)[r1, r2] = Σ_s u[s1, s2] x[(r1 − s1) mod H, (r2 − s2) mod W]. */
    public static double[] circularConvolution(double[] u, double[] x, int off, int h, int w) {
        double[] y = new double[h * w];
        for (int r1 = 0; r1 < h; r1++) for (int r2 = 0; r2 < w; r2++) {
            double s = 0;
            for (int s1 = 0; s1 < h; s1++) for (int s2 = 0; s2 < w; s2++) {
                s += u[s1 * w + s2] * x[off + Math.floorMod(r1 - s1, h) * w + Math.floorMod(r2 - s2, w)];
            }
            y[r1 * w + r2] = s;
        }
        return y;
    }

    /** Logits of a dataset (normalised here). */
    public double[] logits(Dataset data) {
        RealFourier2d f = new RealFourier2d(height, width);
        return predict(CircularProgram.fourierRows(data, normalization, f)[0], data.size());
    }

    @Override public dev.convexcnn.nn.Evaluation evaluate(Dataset data) {
        if (data.height() != height || data.width() != width || data.channels() != 1 || data.classes() != classes) {
            throw new IllegalArgumentException("the circular CNN takes " + height + "x" + width + "x1 images in " + classes
                    + " classes, but " + data + " does not match");
        }
        return ConvexTrainer.evaluation(logits(data), data);
    }
}
