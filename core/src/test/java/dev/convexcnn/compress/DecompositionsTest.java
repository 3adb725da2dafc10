package dev.convexcnn.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Shape;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Exact recovery of tensors of known low rank, error falling with rank, and the rank spellings. */
class DecompositionsTest {
    static final int[] DIMS = {6, 5, 3, 3};
    static final Decompositions.Settings S = Decompositions.Settings.defaults();

    static double[] randomMatrix(int r, int c, Random rnd) {
        double[] m = new double[r * c];
        for (int i = 0; i < m.length; i++) m[i] = rnd.nextGaussian();
        return m;
    }

    static double[] randomCpTensor(int rank, Random rnd) {
        double[][] a = new double[4][];
        for (int n = 0; n < 4; n++) a[n] = randomMatrix(DIMS[n], rank, rnd);
        return Decompositions.reconstructCp(a, DIMS, rank);
    }

    @Test
    void cpAlsRecoversALowRankTensor() {
        double[] x = randomCpTensor(3, new Random(1));
        Decompositions.Cp cp = Decompositions.cpAls(x, DIMS, 3, S);
        assertTrue(cp.relativeError() < 1e-6, "relative error " + cp.relativeError());
        assertEquals(0, Decompositions.relativeError(x, Decompositions.reconstructCp(cp.factors(), DIMS, 3)), 1e-6);
    }

    @Test
    void tuckerRecoversALowMultilinearRankTensor() {
        Random rnd = new Random(2);
        int[] r = {3, 2, 2, 3};
        double[] core = randomMatrix(3 * 2 * 2 * 3, 1, rnd);
        double[][] u = new double[4][];
        for (int n = 0; n < 4; n++) u[n] = randomMatrix(DIMS[n], r[n], rnd);
        double[] x = Decompositions.reconstruct(new Decompositions.Tucker(core, r, u, 0), DIMS);
        for (int hooi : new int[] {0, 5}) {
            var s = new Decompositions.Settings(10, 0, hooi, 0);
            Decompositions.Tucker t = Decompositions.tucker(x, DIMS, r, new boolean[] {true, true, true, true}, s);
            assertTrue(t.relativeError() < 1e-10, "HOSVD/HOOI error " + t.relativeError());
            assertArrayEquals(r, t.coreDims());
        }
    }

    @Test
    void tucker2LeavesTheSpatialModesAlone() {
        Random rnd = new Random(3);
        double[] core = randomMatrix(2 * 3 * 9, 1, rnd);
        double[][] u = {randomMatrix(6, 2, rnd), randomMatrix(5, 3, rnd), null, null};
        double[] x = Decompositions.reconstruct(new Decompositions.Tucker(core, new int[] {2, 3, 3, 3}, u, 0), DIMS);
        var t = Decompositions.tucker(x, DIMS, new int[] {2, 3, 3, 3}, new boolean[] {true, true, false, false}, S);
        assertTrue(t.relativeError() < 1e-10);
        assertEquals(null, t.factors()[2]);
    }

    @Test
    void ttSvdRecoversALowTtRankTensor() {
        Random rnd = new Random(4);
        int[] r = {2, 3, 2};
        double[][] cores = {randomMatrix(6, 2, rnd), randomMatrix(2 * 5, 3, rnd), randomMatrix(3 * 3, 2, rnd), randomMatrix(2, 3, rnd)};
        double[] x = Decompositions.reconstruct(new Decompositions.TensorTrain(cores, r, 0), DIMS);
        var tt = Decompositions.ttSvd(x, DIMS, r);
        assertTrue(tt.relativeError() < 1e-10, "TT error " + tt.relativeError());
    }

    @Test
    void errorFallsWithRank() {
        double[] x = randomMatrix(6 * 5 * 9, 1, new Random(5));
        double prevCp = 2, prevT = 2, prevTt = 2;
        for (int r = 1; r <= 6; r++) {
            double cp = Decompositions.cpAls(x, DIMS, r, S).relativeError();
            double tu = Decompositions.tucker(x, DIMS, new int[] {r, Math.min(r, 5), 3, 3}, new boolean[] {true, true, false, false}, S).relativeError();
            double tt = Decompositions.ttSvd(x, DIMS, new int[] {Math.min(r, 6), Math.min(r, 15), Math.min(r, 6)}).relativeError();
            assertTrue(cp <= prevCp + 1e-9, "CP rank " + r + ": " + cp + " after " + prevCp);
            assertTrue(tu <= prevT + 1e-9, "Tucker-2 rank " + r);
            assertTrue(tt <= prevTt + 1e-9, "TT rank " + r);
            prevCp = cp; prevT = tu; prevTt = tt;
        }
        assertTrue(prevT < 1e-10, "Tucker-2 at full channel ranks is exact");
    }

    @Test
    void denseConvConvertsAtFullRankExactly() {
        Shape in = new Shape(6, 6, 3);
        Conv2d dense = new Conv2d(4, 3, 1, 1);
        dense.build(in);
        dense.initialize(Initializer.UNIFORM_FAN_IN, new SplittableRandom(9));
        float[] x = new float[2 * in.size()];
        Random rnd = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] y = dense.forward(x, 2).clone();
        for (var kind : new Factorisation[] {Factorisation.TUCKER2, Factorisation.TUCKER, Factorisation.TT}) {
            FactorisedConv2d f = FactorisedConv2d.fromDense(dense, in, kind, RankSpec.explicit(100), S);
            float[] yf = f.forward(x, 2);
            for (int i = 0; i < y.length; i++) assertEquals(y[i], yf[i], 1e-4, kind + " output " + i);
        }
        // CP at a generous rank is close but ALS need not be exact.
        FactorisedConv2d cp = FactorisedConv2d.fromDense(dense, in, Factorisation.CP, RankSpec.explicit(27), S);
        double err = Decompositions.relativeError(StagedConv.toDouble(dense.params().get(0).value()), cp.denseKernel());
        assertTrue(err < 0.05, "CP rank 27 error " + err);
    }

    @Test
    void aTrainedConvConvertsAtEveryRankSpelling() {
        Shape in = new Shape(7, 7, 6);
        Conv2d dense = new Conv2d(8, 3, 1, 1);
        dense.build(in);
        dense.initialize(Initializer.UNIFORM_FAN_IN, new SplittableRandom(2));
        double[] w = StagedConv.toDouble(dense.params().get(0).value());
        long denseWeights = 8 * 6 * 9;
        float[] x = new float[2 * in.size()];
        Random rnd = new Random(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        for (var kind : Factorisation.values()) {
            double prev = Double.POSITIVE_INFINITY;
            // Explicit rank 2, then growing budgets (25 %, r=0.5, "same": nested ranks, so the error falls).
            for (String spelling : new String[] {"2", "25%", "r=0.5", "same"}) {
                if (spelling.equals("25%")) prev = Double.POSITIVE_INFINITY;
                RankSpec spec = RankSpec.parse(spelling);
                FactorisedConv2d f = FactorisedConv2d.fromDense(dense, in, kind, spec, S);
                assertArrayEquals(kind.resolve(8, 6, 3, spec), f.ranks(), kind + " " + spelling);
                if (spec instanceof RankSpec.Fraction fr) {
                    assertTrue(f.kernelWeights() <= fr.fraction() * denseWeights, kind + " " + spelling + " stays in budget");
                }
                double err = Decompositions.relativeError(w, f.denseKernel());
                assertTrue(err <= prev + 1e-6, kind + " " + spelling + ": error " + err + " after " + prev);
                prev = err;
                // The converted layer keeps the bias and runs its factors as the dense conv of its own kernel.
                assertArrayEquals(dense.params().get(1).value(), f.bias().value(), 0f);
                float[] yf = f.forward(x, 2).clone(), yd = f.toConv2d().forward(x, 2);
                for (int i = 0; i < yf.length; i += 7) assertEquals(yd[i], yf[i], 1e-4, kind + " " + spelling + " output " + i);
            }
        }
        // Per-slot ranks and the K/R spelling (for blocks only).
        FactorisedConv2d t2 = FactorisedConv2d.fromDense(dense, in, Factorisation.TUCKER2, RankSpec.parse("rank=4x3"), S);
        assertArrayEquals(new int[] {4, 3}, t2.ranks());
        assertThrows(IllegalArgumentException.class,
                () -> FactorisedConv2d.fromDense(dense, in, Factorisation.CP, RankSpec.parse("kr=4"), S));
    }

    @Test
    void rankSpellings() {
        assertEquals(RankSpec.explicit(8), RankSpec.parse("8"));
        assertEquals(RankSpec.explicit(8), RankSpec.parse("rank=8"));
        assertEquals(RankSpec.explicit(4, 8), RankSpec.parse("rank=4x8"));
        assertEquals(RankSpec.fraction(0.25), RankSpec.parse("r=0.25"));
        assertEquals(RankSpec.fraction(0.25), RankSpec.parse("25%"));
        assertEquals(RankSpec.fraction(0.25), RankSpec.parse("0.25"));
        assertEquals(RankSpec.same(), RankSpec.parse("same"));
        assertEquals(new RankSpec.KOverR(4), RankSpec.parse("kr=4"));
        assertThrows(IllegalArgumentException.class, () -> RankSpec.parse("rank=x"));
        assertThrows(IllegalArgumentException.class, () -> RankSpec.parse("rank=0"));
    }

    @Test
    void rankResolutionByHand() {
        // Kernel 16 × 8 × 3 × 3 = 1152 weights. CP: R·(16 + 8 + 6) = 30R.
        assertArrayEquals(new int[] {38}, Factorisation.CP.resolve(16, 8, 3, RankSpec.same()));        // 30·38 = 1140 ≤ 1152 < 1170
        assertArrayEquals(new int[] {9}, Factorisation.CP.resolve(16, 8, 3, RankSpec.fraction(0.25))); // 270 ≤ 288 < 300
        assertArrayEquals(new int[] {5}, Factorisation.CP.resolve(16, 8, 3, RankSpec.explicit(5)));
        // Tucker-2 (t, t/2): 16t + 8·t/2 + 9·t·t/2; t = 8: 128 + 32 + 288 = 448 ≤ 576; t = 10: 160 + 40 + 450 = 650 > 576.
        assertArrayEquals(new int[] {8, 4}, Factorisation.TUCKER2.resolve(16, 8, 3, RankSpec.fraction(0.5)));
        // Explicit ranks are clamped to the mode sizes: Tucker-2 R_in ≤ C = 8.
        assertArrayEquals(new int[] {16, 8}, Factorisation.TUCKER2.resolve(16, 8, 3, RankSpec.explicit(100)));
        assertArrayEquals(new int[] {16, 8, 3, 3}, Factorisation.TUCKER.resolve(16, 8, 3, RankSpec.explicit(100)));
        // TT over (8, 3, 3, 16): r1 ≤ 8, r2 ≤ min(3·r1, 3·16), r3 ≤ min(3·r2, 16).
        assertArrayEquals(new int[] {8, 24, 16}, Factorisation.TT.resolve(16, 8, 3, RankSpec.explicit(100)));
        // TT (t, t, t) with r1 clamped to 8 once t > 8: 8·8 + 8·3·t + t·3·t + 16t = 64 + 40t + 3t²;
        // "same" (1152): t = 13 gives 1091, t = 14 gives 1212.
        assertArrayEquals(new int[] {8, 13, 13}, Factorisation.TT.resolve(16, 8, 3, RankSpec.same()));
        for (var kind : Factorisation.values()) {
            int[] r = kind.resolve(16, 8, 3, RankSpec.same());
            assertTrue(kind.weights(16, 8, 3, r) <= 1152, kind + " 'same' stays within the dense weights");
        }
    }
}
