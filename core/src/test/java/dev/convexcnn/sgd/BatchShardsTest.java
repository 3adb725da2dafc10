package dev.convexcnn.sgd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Batches;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.nn.SoftmaxCrossEntropy;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchShardsTest {
    static final String ARCH = "conv3k3-relu-maxpool2-conv4k2-relu-linear3";

    static Sequential net() {
        return Sequential.of(ARCH, new Shape(8, 8, 1), 3).initialize(TrainSettings.defaults().initializer(), 5);
    }

    /** The gradients of one network over the whole batch: the reference the halves must add up to. */
    static float[][] wholeBatchGradients(Sequential net, Dataset d, int[] order, int from, int b, Normalization norm) {
        float[] x = new float[b * d.features()], grad = new float[b * 3];
        int[] y = new int[b];
        Batches.gather(d, order, from, b, norm, x, y);
        net.zeroGrad();
        float[] logits = net.forward(x, b);
        new SoftmaxCrossEntropy().evaluate(logits, b, 3, y, null, grad);
        net.backward(grad, b);
        return net.params().stream().map(p -> p.grad().clone()).toArray(float[][]::new);
    }

    static float[][] shardedGradients(Sequential net, Dataset d, int[] order, int from, int b, Normalization norm,
                                      boolean concurrent) {
        BatchShards s = new BatchShards(net, 16, d.features(), 3);
        assertEquals(2, s.shards());
        int[] y = new int[16];
        float[] grad = new float[16 * 3];
        float[] logits = s.forward(d, order, from, b, norm, y, concurrent);
        new SoftmaxCrossEntropy().evaluate(logits, b, 3, y, null, grad);
        s.backward(grad, b, concurrent);
        return net.params().stream().map(p -> p.grad().clone()).toArray(float[][]::new);
    }

    @Test
    void halvesAddUpToTheWholeBatchGradient() {
        Dataset d = SgdTrainerTest.bars(40, 3);
        Normalization norm = Normalization.fit(d);
        int[] order = SgdTrainer.permutation(40, 9, 0);
        for (int b : new int[] {16, 15, 2, 1}) {
            float[][] ref = wholeBatchGradients(net(), d, order, 3, b, norm);
            float[][] seq = shardedGradients(net(), d, order, 3, b, norm, false);
            float[][] par = shardedGradients(net(), d, order, 3, b, norm, true);
            for (int i = 0; i < ref.length; i++) {
                double scale = 0;
                for (float v : ref[i]) scale = Math.max(scale, Math.abs(v));
                for (int j = 0; j < ref[i].length; j++) {
                    assertEquals(ref[i][j], seq[i][j], 1e-5 * scale, "batch " + b + ", param " + i + "[" + j + "]");
                }
                // The same halves in the same order: the same bits, on one thread or two.
                assertArrayEquals(seq[i], par[i], "batch " + b + ", param " + i);
            }
        }
    }

    @Test
    void aReplicaSharesTheValuesAndKeepsItsOwnGradients() {
        Sequential net = net();
        Sequential r = net.replica();
        assertNotNull(r);
        List<Param> a = net.params(), c = r.params();
        assertEquals(a.size(), c.size());
        for (int i = 0; i < a.size(); i++) {
            assertSame(a.get(i).value(), c.get(i).value());
            assertTrue(a.get(i).grad() != c.get(i).grad());
            assertEquals(a.get(i).name(), c.get(i).name());
        }
        assertEquals(net.spec(), r.spec());
    }

    @Test
    void aNetworkWithAnUnreplicableLayerRunsAsOneShard() {
        Sequential net = new Sequential(new Shape(8, 8, 1), List.of(new dev.convexcnn.nn.Flatten(), new Opaque()), 3);
        assertNull(net.replica());
        assertEquals(1, new BatchShards(net, 16, 64, 3).shards());
    }

    /** A linear layer that does not offer a replica. */
    static final class Opaque implements dev.convexcnn.nn.Layer {
        private final dev.convexcnn.nn.Linear inner = new dev.convexcnn.nn.Linear(3);
        @Override public String spec() { return "opaque"; }
        @Override public Shape build(Shape in) { return inner.build(in); }
        @Override public void initialize(Initializer init, java.util.SplittableRandom r) { inner.initialize(init, r); }
        @Override public List<Param> params() { return inner.params(); }
        @Override public float[] forward(float[] x, int b) { return inner.forward(x, b); }
        @Override public float[] backward(float[] g, int b, boolean need) { return inner.backward(g, b, need); }
    }
}
