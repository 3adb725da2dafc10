package dev.convexcnn.distill;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.data.Shifts;
import dev.convexcnn.nn.Batches;
import dev.convexcnn.nn.Loss;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.SoftmaxCrossEntropy;
import dev.convexcnn.optim.Adam;
import dev.convexcnn.sgd.SgdTrainer;
import java.util.function.Consumer;

/**
 * Seeded mini-batch Adam on a network, against the hard labels (cross-entropy) or against per-sample target
 * vectors (the teacher's logits, with a soft-target loss), optionally on freshly shifted images every epoch
 * (labels only: shifted images have no cached targets). Without weight decay, as the students of the paper.
 */
public final class TargetTrainer {
    private TargetTrainer() {}

    /**
     * @param maxShift largest random shift in pixels for per-epoch augmentation, 0 for none
     */
    public record FitSettings(double learningRate, int epochs, int batchSize, long seed, int maxShift) {
        public FitSettings {
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
            if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
            if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
            if (maxShift < 0) throw new IllegalArgumentException("the largest shift must be >= 0, got " + maxShift);
        }
    }

    /** The outcome: the last epoch's mean training loss, seconds, and whether the loss stopped being finite. */
    public record Fit(double finalLoss, double seconds, boolean diverged) {}

    /**
     * Trains net in place. With targets null it fits the labels by cross-entropy; otherwise targets holds
     * train.size() × classes values and loss reads them.
     */
    public static Fit fit(Sequential net, Dataset train, float[] targets, Loss loss, Normalization norm, FitSettings s,
                          Consumer<String> log) {
        final int n = train.size(), f = train.features(), k = net.outputs(), bs = s.batchSize();
        if (n == 0) throw new IllegalArgumentException("the training set is empty");
        if (targets != null && targets.length != (long) n * k) {
            throw new IllegalArgumentException(targets.length + " target values do not make " + n + " × " + k);
        }
        if (targets != null && s.maxShift() > 0) throw new IllegalArgumentException("shifting images needs labels, not fixed targets");
        if (targets == null) loss = new SoftmaxCrossEntropy();
        Adam opt = new Adam(net.params(), s.learningRate(), 0.9, 0.999, 1e-8, 0);
        float[] x = new float[bs * f], grad = new float[bs * k], t = targets == null ? null : new float[bs * k];
        int[] y = new int[bs];
        long t0 = System.nanoTime();
        double last = Double.NaN;
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            Dataset data = s.maxShift() > 0
                    ? Shifts.random(train, s.maxShift(), s.seed() * 0x9E3779B97F4A7C15L + epoch + 1, train.name() + "/shifted")
                    : train;
            int[] order = SgdTrainer.permutation(n, s.seed(), epoch);
            double sum = 0;
            for (int from = 0; from < n; from += bs) {
                int b = Math.min(bs, n - from);
                Batches.gather(data, order, from, b, norm, x, y);
                if (t != null) {
                    for (int i = 0; i < b; i++) System.arraycopy(targets, order[from + i] * k, t, i * k, k);
                }
                net.zeroGrad();
                float[] z = net.forward(x, b);
                double l = loss.evaluate(z, b, k, y, t, grad);
                if (!Double.isFinite(l)) {
                    log.accept("  loss became " + l + " in epoch " + (epoch + 1) + " at lr " + s.learningRate());
                    return new Fit(l, (System.nanoTime() - t0) / 1e9, true);
                }
                net.backward(grad, b);
                opt.step();
                sum += l * b;
            }
            last = sum / n;
        }
        return new Fit(last, (System.nanoTime() - t0) / 1e9, false);
    }

    /** The network's logits (size × classes) on every sample of d. */
    public static float[] logits(Sequential net, Normalization norm, Dataset d) {
        final int k = net.outputs(), bs = 256;
        float[] out = new float[d.size() * k], x = new float[bs * d.features()];
        for (int from = 0; from < d.size(); from += bs) {
            int b = Math.min(bs, d.size() - from);
            Batches.gather(d, null, from, b, norm, x, null);
            System.arraycopy(net.forward(x, b), 0, out, from * k, b * k);
        }
        return out;
    }

    /** The share of samples whose largest logit is at their label. */
    public static double accuracy(float[] logits, Dataset d) {
        if (d.size() == 0) return Double.NaN;
        final int k = d.classes();
        int correct = 0;
        for (int i = 0; i < d.size(); i++) if (Batches.argmax(logits, i * k, k) == d.label(i)) correct++;
        return (double) correct / d.size();
    }
}
