package dev.convexcnn.convex;

import java.util.ArrayList;
import java.util.List;
import org.jtransforms.fft.DoubleFFT_1D;
import org.jtransforms.fft.DoubleFFT_2D;

/**
 * The orthonormal real Fourier basis of H × W images (2-D DFT by JTransforms). Frequencies come in conjugate
 * pairs k, −k; a self-conjugate frequency (k = −k mod (H, W)) gives one real coordinate x̂_k/√d, a pair gives two,
 * √2·Re x̂_k/√d and √2·Im x̂_k/√d (d = H·W). The map x ↦ q is orthogonal, so the circular program can work in q.
 * With ẑ the unnormalised DFT of z, ‖ẑ‖₁/d = Σ_g w_g ‖q_g‖ with w_g = 1/√d for a single coordinate and √2/√d
 * for a pair: the ℓ1 norm of the spectrum as a weighted group norm.
 */
public final class RealFourier2d {
    private final int height, width, d;
    private final int[] groupStart, freqRow, freqCol;
    private final double[] groupWeight;
    private final DoubleFFT_2D fft;      // null when one side is 1 (JTransforms' 2-D FFT needs both > 1)
    private final DoubleFFT_1D fft1;

    public RealFourier2d(int height, int width) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("image size must be > 0, got " + height + "x" + width);
        this.height = height;
        this.width = width;
        this.d = height * width;
        List<int[]> groups = new ArrayList<>();
        for (int k1 = 0; k1 < height; k1++) {
            for (int k2 = 0; k2 < width; k2++) {
                int n1 = (height - k1) % height, n2 = (width - k2) % width;
                if (n1 == k1 && n2 == k2) groups.add(new int[] {k1, k2, 1});
                else if (k1 * width + k2 < n1 * width + n2) groups.add(new int[] {k1, k2, 2});
            }
        }
        int g = groups.size();
        groupStart = new int[g + 1];
        freqRow = new int[g];
        freqCol = new int[g];
        groupWeight = new double[g];
        for (int a = 0; a < g; a++) {
            int[] f = groups.get(a);
            freqRow[a] = f[0];
            freqCol[a] = f[1];
            groupStart[a + 1] = groupStart[a] + f[2];
            groupWeight[a] = (f[2] == 1 ? 1 : Math.sqrt(2)) / Math.sqrt(d);
        }
        if (groupStart[g] != d) throw new IllegalStateException("frequency groups cover " + groupStart[g] + " of " + d);
        fft = height > 1 && width > 1 ? new DoubleFFT_2D(height, width) : null;
        fft1 = fft == null && d > 1 ? new DoubleFFT_1D(d) : null;
    }

    public int height() { return height; }
    public int width() { return width; }
    public int size() { return d; }
    public int groups() { return groupWeight.length; }
    /** Coordinates of group g: [groupStart(g), groupStart(g + 1)). */
    public int groupStart(int g) { return groupStart[g]; }
    public double groupWeight(int g) { return groupWeight[g]; }

    /** The unnormalised complex DFT of a real image (H × W row-major): 2·d doubles, (re, im) interleaved. */
    public double[] dft(double[] x, int off) {
        double[] a = new double[2 * d];
        for (int i = 0; i < d; i++) a[2 * i] = x[off + i];
        if (fft != null) fft.complexForward(a);
        else if (fft1 != null) fft1.complexForward(a);
        return a;
    }

    /** The real image whose DFT is the Hermitian spectrum a (the imaginary remainder is rounding and dropped). */
    public double[] inverseDft(double[] a) {
        double[] b = a.clone();
        if (fft != null) fft.complexInverse(b, true);
        else if (fft1 != null) fft1.complexInverse(b, true);
        double[] x = new double[d];
        for (int i = 0; i < d; i++) x[i] = b[2 * i];
        return x;
    }

    /** q = the orthonormal real Fourier coordinates of x[off .. off + d) into out[outOff ..]. */
    public void forward(double[] x, int off, double[] out, int outOff) {
        double[] a = dft(x, off);
        double s = 1 / Math.sqrt(d), s2 = Math.sqrt(2) / Math.sqrt(d);
        for (int g = 0; g < groups(); g++) {
            int k = freqRow[g] * width + freqCol[g], o = outOff + groupStart[g];
            if (groupStart[g + 1] - groupStart[g] == 1) {
                out[o] = a[2 * k] * s;
            } else {
                out[o] = a[2 * k] * s2;
                out[o + 1] = a[2 * k + 1] * s2;
            }
        }
    }

    /** The Hermitian spectrum (unnormalised DFT) of the image with coordinates q. */
    public double[] spectrum(double[] q, int off) {
        double[] a = new double[2 * d];
        double s = Math.sqrt(d), s2 = Math.sqrt(d) / Math.sqrt(2);
        for (int g = 0; g < groups(); g++) {
            int k1 = freqRow[g], k2 = freqCol[g], k = k1 * width + k2;
            int nk = ((height - k1) % height) * width + (width - k2) % width, o = off + groupStart[g];
            if (groupStart[g + 1] - groupStart[g] == 1) {
                a[2 * k] = q[o] * s;
            } else {
                a[2 * k] = q[o] * s2;
                a[2 * k + 1] = q[o + 1] * s2;
                a[2 * nk] = q[o] * s2;
                a[2 * nk + 1] = -q[o + 1] * s2;
            }
        }
        return a;
    }

    /** The image x with coordinates q: the inverse of {@link #forward}. */
    public double[] inverse(double[] q, int off) {
        return inverseDft(spectrum(q, off));
    }
}
