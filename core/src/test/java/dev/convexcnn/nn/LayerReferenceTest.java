package dev.convexcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Fast layers against direct loops, and the architecture parser. */
class LayerReferenceTest {

    @Test
    void convForwardMatchesDirectConvolution() {
        Shape in = new Shape(7, 6, 3);
        Conv2d conv = new Conv2d(4, 3, 2, 1);
        Shape out = conv.build(in);
        conv.initialize(Initializer.UNIFORM_FAN_IN, new SplittableRandom(2));
        Random r = new Random(1);
        int batch = 2;
        float[] x = new float[batch * in.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] y = conv.forward(x, batch).clone();
        float[] w = conv.params().get(0).value(), b = conv.params().get(1).value();
        // Layout (channels, height, width, batch); weights (filters, channels, ky, kx).
        for (int n = 0; n < batch; n++)
            for (int oy = 0; oy < out.height(); oy++)
                for (int ox = 0; ox < out.width(); ox++)
                    for (int f = 0; f < 4; f++) {
                        double s = b[f];
                        for (int c = 0; c < 3; c++)
                            for (int ky = 0; ky < 3; ky++)
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                                    if (iy < 0 || ix < 0 || iy >= 7 || ix >= 6) continue;
                                    s += w[((f * 3 + c) * 3 + ky) * 3 + kx] * x[((c * 7 + iy) * 6 + ix) * batch + n];
                                }
                        assertEquals(s, y[((f * out.height() + oy) * out.width() + ox) * batch + n], 1e-4);
                    }
    }

    /**
     * A batch large enough for the patch matrix to go in several blocks (3, 3, 3 and 1 output rows): forward,
     * weight, bias and input gradients against direct loops. Tolerances relative to the largest entry.
     */
    @Test
    void blockedConvMatchesDirectLoopsForwardAndBackward() {
        final int h = 12, w = 12, c = 16, f = 6, k = 5, p = 1, batch = 5;
        Shape in = new Shape(h, w, c);
        Conv2d conv = new Conv2d(f, k, 1, p);
        Shape out = conv.build(in);
        int oh = out.height(), ow = out.width();
        assertEquals(3, conv.blockRows(batch), "the test needs blocks of several rows and a shorter last one");
        conv.initialize(Initializer.UNIFORM_FAN_IN, new SplittableRandom(3));
        Random r = new Random(4);
        float[] x = new float[batch * in.size()], g = new float[batch * out.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
        float[] wt = conv.params().get(0).value(), b = conv.params().get(1).value();
        float[] y = conv.forward(x, batch).clone();
        for (Param q : conv.params()) q.zeroGrad();
        float[] dx = conv.backward(g, batch, true).clone();
        float[] dw = conv.params().get(0).grad(), db = conv.params().get(1).grad();
        double[] yRef = new double[y.length], dxRef = new double[x.length], dwRef = new double[wt.length], dbRef = new double[f];
        for (int n = 0; n < batch; n++)
            for (int fi = 0; fi < f; fi++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        int o = ((fi * oh + oy) * ow + ox) * batch + n;
                        double s = b[fi];
                        dbRef[fi] += g[o];
                        for (int ci = 0; ci < c; ci++)
                            for (int ky = 0; ky < k; ky++)
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy - p + ky, ix = ox - p + kx;
                                    if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
                                    int wi = ((fi * c + ci) * k + ky) * k + kx, xi = ((ci * h + iy) * w + ix) * batch + n;
                                    s += wt[wi] * x[xi];
                                    dwRef[wi] += g[o] * x[xi];
                                    dxRef[xi] += g[o] * wt[wi];
                                }
                        yRef[o] = s;
                    }
        assertClose(yRef, y, "forward");
        assertClose(dxRef, dx, "dx");
        assertClose(dwRef, dw, "dW");
        assertClose(dbRef, db, "db");
    }

    private static void assertClose(double[] ref, float[] got, String what) {
        double scale = 0;
        for (double v : ref) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < ref.length; i++) assertEquals(ref[i], got[i], 1e-5 * scale, what + "[" + i + "]");
    }

    @Test
    void maxPoolPicksTheMaximum() {
        Pool2d pool = new Pool2d(Pool2d.Kind.MAX, 2, 2);
        pool.build(new Shape(2, 2, 2));
        float[] x = {1, 4, 2, 3, -5, -1, -3, -2};   // channel 0: 1 4 / 2 3; channel 1: -5 -1 / -3 -2
        float[] y = pool.forward(x, 1);
        assertEquals(4f, y[0]);
        assertEquals(-1f, y[1]);
        float[] dx = pool.backward(new float[] {10, 20}, 1, true);
        assertEquals(10f, dx[1]);
        assertEquals(20f, dx[5]);
        assertEquals(0f, dx[0]);
        // Ties go to the first position in row-major order.
        pool.forward(new float[] {7, 7, 7, 7, 0, 0, 0, 0}, 1);
        float[] tie = pool.backward(new float[] {1, 1}, 1, true);
        assertEquals(1f, tie[0]);
        assertEquals(0f, tie[1] + tie[2] + tie[3]);
        assertEquals(1f, tie[4]);
    }

    @Test
    void parserBuildsTheReferenceNet() {
        Sequential net = Sequential.of("reference", new Shape(28, 28, 1), 10);
        assertEquals("conv16k5-relu-maxpool2-conv32k5-relu-maxpool2-linear10", net.spec());
        // 16·25+16 + 32·400+32 + 512·10+10
        assertEquals(416 + 12832 + 5130, net.parameterCount());
        assertEquals(Shape.vector(10), net.shapes().get(net.shapes().size() - 1));
        assertEquals("conv8k3s2p1-avgpool3s2", Sequential.of("conv8k3s2p1-avgpool3s2-linear5", new Shape(16, 16, 3), 5)
                .spec().replace("-linear5", ""));
    }

    @Test
    void parserErrorsNameTheProblem() {
        var e = assertThrows(IllegalArgumentException.class, () -> Architecture.parse("conv16k5-rleu"));
        assertTrue(e.getMessage().contains("'rleu'"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Sequential.of("linear7", new Shape(4, 4, 1), 10));
        assertTrue(e2.getMessage().contains("10 classes"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> Sequential.of("conv4k9-linear10", new Shape(4, 4, 1), 10));
        assertTrue(e3.getMessage().contains("conv4k9"), e3.getMessage());
    }

    @Test
    void initializersHaveTheirScale() {
        float[] w = new float[20000];
        Initializer.HE.initWeights(w, 50, 10, new SplittableRandom(1));
        double var = 0;
        for (float v : w) var += v * v;
        assertEquals(2.0 / 50, var / w.length, 0.002);
        Initializer.UNIFORM_FAN_IN.initWeights(w, 25, 16, new SplittableRandom(1));
        for (float v : w) assertTrue(Math.abs(v) <= 0.2f);
        Initializer.GLOROT.initWeights(w, 30, 20, new SplittableRandom(1));
        for (float v : w) assertTrue(Math.abs(v) <= Math.sqrt(6.0 / 50) + 1e-6);
    }

    /**
     * Sequential runs relu→maxpool as maxpool→relu, and a convolution carries that pair when the windows tile its
     * output; outputs and gradients must equal the literal order's, bit for bit.
     */
    @Test
    void fusedReluMaxPoolEqualsTheLiteralOrder() {
        // One block of patch rows for all output rows; the second pool (stride 1) is not carried.
        assertFusedEqualsLiteral("conv5k3-relu-maxpool2-conv4k3-relu-maxpool2s1-linear3", new Shape(12, 12, 2), 4);
        // Blocks of one output row (26·24·128 floats > Conv2d.BLOCK_FLOATS): a band of two blocks per window row.
        assertFusedEqualsLiteral("conv3k5-relu-maxpool2-linear3", new Shape(28, 28, 1), 128);
        // Blocks of three rows against windows of two: bands of six rows, the last one of four (16 output rows).
        assertFusedEqualsLiteral("conv2k3-relu-maxpool2-linear3", new Shape(18, 18, 1), 136);
    }

    private static void assertFusedEqualsLiteral(String spec, Shape in, int b) {
        Sequential net = Sequential.of(spec, in, 3).initialize(Initializer.HE, 5);
        assertTrue(net.executionOrder().get(0) instanceof Conv2d c && c.carried() != null, spec + ": the first pool is carried");
        java.util.List<Layer> literal = Architecture.parse(spec);
        Shape cur = in;
        for (Layer l : literal) cur = l.build(cur);
        java.util.Iterator<Param> src = net.params().iterator();
        for (Layer l : literal) for (Param p : l.params()) System.arraycopy(src.next().value(), 0, p.value(), 0, p.size());

        Random r = new Random(8);
        float[] x = new float[b * in.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        // Exact zeros make ties in the windows: the rule for ties must agree too.
        for (int i = 0; i < x.length; i += 5) x[i] = 0f;
        float[] g = new float[b * 3];
        for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();

        net.zeroGrad();
        float[] fused = net.forward(x, b).clone();
        net.backward(g, b);
        // The literal chain takes (channels, height, width, batch) and gives (classes, batch).
        float[] xc = new float[x.length];
        int plane = in.height() * in.width();
        for (int n = 0; n < b; n++)
            for (int j = 0; j < plane; j++)
                for (int c = 0; c < in.channels(); c++) xc[(c * plane + j) * b + n] = x[(n * plane + j) * in.channels() + c];
        float[] y = xc;
        for (Layer l : literal) y = l.forward(y, b);
        for (int n = 0; n < b; n++) for (int k = 0; k < 3; k++) assertEquals(y[k * b + n], fused[n * 3 + k], 0f, spec);
        float[] gt = new float[g.length];
        for (int n = 0; n < b; n++) for (int k = 0; k < 3; k++) gt[k * b + n] = g[n * 3 + k];
        float[] gg = gt;
        for (int i = literal.size() - 1; i >= 0; i--) gg = literal.get(i).backward(gg, b, i > 0);
        java.util.Iterator<Param> fp = net.params().iterator();
        for (Layer l : literal) for (Param p : l.params()) org.junit.jupiter.api.Assertions.assertArrayEquals(p.grad(), fp.next().grad(), spec + " " + p.name());
    }
}
