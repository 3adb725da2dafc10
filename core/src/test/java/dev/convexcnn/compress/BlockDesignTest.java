package dev.convexcnn.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.linalg.DoubleMatrix;
import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Flatten;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Linear;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Block designs: parameters, compression ratios, K/R and the complexity measure on hand-worked cases. */
class BlockDesignTest {
    static final Shape IN = new Shape(8, 8, 16);

    static Redundancy report(String spelling) { return Redundancy.of(BlockDesign.parse(spelling), IN); }

    @Test
    void dense() {
        // 16·16·9 = 2304 weights + 16 biases; w = patch 144, R = min(16, 144) = 16; P = 64.
        Redundancy r = report("dense");
        assertEquals(2320, r.parameters());
        assertEquals(1.0, r.compressionRatio(), 1e-12);
        assertEquals(1.0, r.kOverR(), 1e-12);
        assertEquals(16 * (64 + 144 - 16), r.complexity(), 1e-9);   // 3072
    }

    @Test
    void bottleneck() {
        // 1×1 16→4, 3×3 4→4, 1×1 4→16: 64 + 144 + 64 = 272 weights, 4 + 4 + 16 biases = 296.
        Redundancy r = report("bottleneck:k=16,kr=4");
        assertEquals(296, r.parameters());
        assertEquals(2320.0 / 296, r.compressionRatio(), 1e-12);
        assertEquals(4, r.r());
        assertEquals(4.0, r.kOverR(), 1e-12);
        assertEquals(208 + 4 * 64, r.complexity(), 1e-9);           // before = 64 + 144; + R·P = 464
        assertEquals(r.complexity(), report("bottleneck:rank=4").complexity(), 1e-12);
    }

    @Test
    void separable() {
        // depthwise 16·9 = 144 + 1×1 16·16 = 256 weights, biases 16 + 16: 432. w = 16 = K: K/R = 1.
        Redundancy r = report("separable");
        assertEquals(432, r.parameters());
        assertEquals(2320.0 / 432, r.compressionRatio(), 1e-12);
        assertEquals(1.0, r.kOverR(), 1e-12);
        assertEquals(144 + 16 * 64, r.complexity(), 1e-9);
        // multiplier 2 (R = 32 > K = 16): R = min(K, 32) = 16, K/R = 1, complexity 288 + 16·(64 + 32 − 16).
        Redundancy m2 = report("separable:rank=32");
        assertEquals(288 + 512 + 32 + 16, m2.parameters());
        assertEquals(288 + 16 * (64 + 32 - 16), m2.complexity(), 1e-9);
    }

    @Test
    void residualAndItsLowRankVariant() {
        Redundancy res = report("residual");
        assertEquals(2 * (2304 + 16), res.parameters());
        assertEquals(1.0, res.compressionRatio(), 1e-12);
        assertEquals(1.0, res.kOverR(), 1e-12);
        // Tucker-2 (4, 4) on 16×16×3×3: 64 + 64 + 144 = 272 weights (+16 biases), twice: 576.
        Redundancy low = report("lowrank:rank=4");
        assertEquals(576, low.parameters());
        assertEquals(4640.0 / 576, low.compressionRatio(), 1e-12);
        assertEquals(4.0, low.kOverR(), 1e-12);
        assertEquals(272 + (272 - 64) + 4 * 64, low.complexity(), 1e-9); // 736
    }

    @Test
    void factorisedSingleLayers() {
        // CP rank 8: 8·(16 + 16 + 6) = 304 weights + 16; before the output map 304 − 16·8 = 176.
        Redundancy cp = report("cp:k=16,rank=8");
        assertEquals(320, cp.parameters());
        assertEquals(2.0, cp.kOverR(), 1e-12);
        assertEquals(176 + 8 * 64, cp.complexity(), 1e-9);
        // Tucker: R1R2R3R4 + l1R3 + l2R4 + C·R2 + P·R1 (compression.md's formula, our slot order).
        Redundancy t = report("tucker:rank=4x4x2x2");
        assertEquals(4 * 4 * 2 * 2 + 3 * 2 + 3 * 2 + 16 * 4 + 64 * 4, t.complexity(), 1e-9);
        assertEquals(4.0, t.kOverR(), 1e-12);
        // TT (2, 3, 4): weights 32 + 18 + 36 + 64 = 150; K/R = 16/4.
        Redundancy tt = report("tt:rank=2x3x4");
        assertEquals(150 + 16, tt.parameters());
        assertEquals(4.0, tt.kOverR(), 1e-12);
        assertEquals(32 + 18 + 36 + 4 * 64, tt.complexity(), 1e-9);
    }

    @Test
    void grouped() {
        // 1×1 16→8 (128), grouped 3×3 8→8 in 4 groups (8·2·9 = 144), 1×1 8→16 (128); biases 8 + 8 + 16.
        Redundancy g = report("grouped:rank=8,g=4");
        assertEquals(400 + 32, g.parameters());
        assertEquals(2.0, g.kOverR(), 1e-12);
    }

    @Test
    void fractionSpellingsStayWithinTheBudget() {
        for (String d : new String[] {"bottleneck:r=0.25", "grouped:r=0.25", "lowrank:r=0.25", "cp:r=0.25", "tucker2:r=0.25", "tt:r=0.25", "tucker:r=0.25"}) {
            BlockDesign.Plan p = BlockDesign.parse(d).plan(IN);
            assertTrue(p.weights() <= 0.25 * p.referenceWeights(), d + ": " + p.weights() + " of " + p.referenceWeights());
        }
    }

    @Test
    void parsing() {
        BlockDesign d = BlockDesign.parse("Bottleneck:k=32,kr=4,stride=2");
        assertEquals(BlockDesign.Type.BOTTLENECK, d.type());
        assertEquals(32, d.outChannels());
        assertEquals(2, d.stride());
        assertEquals(new RankSpec.KOverR(4), d.rank());
        assertEquals(d, BlockDesign.parse(d.toString()));
        assertThrows(IllegalArgumentException.class, () -> BlockDesign.parse("wide"));
        assertThrows(IllegalArgumentException.class, () -> BlockDesign.parse("cp:k=x"));
    }

    @Test
    void blocksTrainInASequential() {
        Shape in = new Shape(8, 8, 2);
        for (String d : new String[] {"dense:k=4", "cp:k=4,rank=2", "tucker2:k=4,rank=2", "tucker:k=4,rank=2", "tt:k=4,rank=2",
                "bottleneck:k=4,rank=2", "grouped:k=8,rank=4,g=2", "separable:k=4", "residual:k=4,stride=2", "lowrank:rank=1"}) {
            Layer block = BlockDesign.parse(d).layer();
            Sequential net = new Sequential(in, List.of(block, new Flatten(), new Linear(3)), 3).initialize(Initializer.HE, 1);
            float[] x = new float[2 * in.size()];
            Random r = new Random(2);
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            float[] logits = net.forward(x, 2);
            for (int i = 0; i < 6; i++) assertTrue(Float.isFinite(logits[i]), d);
            net.zeroGrad();
            net.backward(new float[] {1, 0, -1, 0.5f, 0.5f, -1}, 2);
            double g = 0;
            for (var p : block.params()) for (float v : p.grad()) g += Math.abs(v);
            assertTrue(g > 0, d + " receives gradients");
            assertEquals(Redundancy.of(BlockDesign.parse(d), in).parameters(), ((BlockLayer) block).parameterCount(), d);
        }
    }

    @Test
    void oneTensorForBothLayers() {
        // conv 3→4 (k 3, no padding) on 5×5 → P = 9 positions, then linear 4·9 → 2, biases 0, linear activation.
        Shape in = new Shape(5, 5, 3);
        Random rnd = new Random(3);
        FactorisedConv2d conv = new FactorisedConv2d(Factorisation.TUCKER2, 4, 3, 1, 0, RankSpec.explicit(2, 2));
        Shape mid = conv.build(in);
        for (var p : conv.params()) for (int i = 0; i < p.size(); i++) p.value()[i] = p.name().endsWith("bias") ? 0f : (float) rnd.nextGaussian();
        Linear fc = new Linear(2);
        fc.build(mid);
        for (int i = 0; i < fc.params().get(0).size(); i++) fc.params().get(0).value()[i] = (float) rnd.nextGaussian();
        float[] x = new float[in.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] y = fc.forward(conv.forward(x, 1), 1);
        double[] w = TensorFormulation.combine(conv.denseKernel(), 4, 3, 3, 3, StagedConv.toDouble(fc.params().get(0).value()), 2, 9);
        for (int o = 0; o < 2; o++) {
            double s = 0;
            for (int p = 0; p < 9; p++) for (int c = 0; c < 3; c++) for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
                s += w[(((o * 9 + p) * 3 + c) * 3 + i) * 3 + j] * x[(c * 5 + p / 3 + i) * 5 + p % 3 + j];
            }
            assertEquals(y[o], s, 1e-3);
        }
        // K = 4 drops out: the (o, p) × (c, i, j) unfolding has rank ≤ R_out = 2.
        double[] sv = new DoubleMatrix(18, 27, w).svd().s();
        assertTrue(sv[2] < 1e-9 * sv[0], "third singular value " + sv[2]);
    }
}
