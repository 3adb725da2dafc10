package dev.convexcnn.nn;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;

/**
 * Accuracy, mean cross-entropy and the confusion matrix (rows: true class, columns: predicted class) of a
 * network on a dataset.
 */
public record Evaluation(int samples, double accuracy, double loss, int[][] confusion) {

    /** This evaluation and another on disjoint samples, as one: counts and confusions added, means weighted. */
    public Evaluation plus(Evaluation o) {
        int n = samples + o.samples;
        if (n == 0) return this;
        int c = confusion.length;
        if (o.confusion.length != c) throw new IllegalArgumentException("evaluations of " + c + " and " + o.confusion.length + " classes");
        int[][] m = new int[c][c];
        for (int i = 0; i < c; i++) for (int j = 0; j < c; j++) m[i][j] = confusion[i][j] + o.confusion[i][j];
        return new Evaluation(n, weighted(accuracy, samples, o.accuracy, o.samples, n), weighted(loss, samples, o.loss, o.samples, n), m);
    }

    private static double weighted(double a, int na, double b, int nb, int n) {
        return ((na == 0 ? 0 : a * na) + (nb == 0 ? 0 : b * nb)) / n;
    }

    public static Evaluation of(Sequential net, Dataset d, Normalization norm, int batchSize) {
        final int classes = net.outputs();
        final int f = d.features();
        batchSize = Math.max(1, Math.min(batchSize, d.size())); // no buffer larger than the data
        int[][] confusion = new int[classes][classes];
        float[] x = new float[batchSize * f];
        int[] y = new int[batchSize];
        SoftmaxCrossEntropy xent = new SoftmaxCrossEntropy();
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < d.size(); from += batchSize) {
            int b = Math.min(batchSize, d.size() - from);
            Batches.gather(d, null, from, b, norm, x, y);
            float[] logits = net.forward(x, b);
            lossSum += xent.evaluate(logits, b, classes, y, null, null) * b;
            for (int k = 0; k < b; k++) {
                int pred = Batches.argmax(logits, k * classes, classes);
                confusion[y[k]][pred]++;
                if (pred == y[k]) correct++;
            }
        }
        int n = d.size();
        return new Evaluation(n, n == 0 ? Double.NaN : (double) correct / n, n == 0 ? Double.NaN : lossSum / n, confusion);
    }

    /**
     * Accuracy, mean cross-entropy and confusion of logits z (n × c, row-major) computed by any model: every model
     * that is not an nn network evaluates through here.
     */
    public static Evaluation ofLogits(double[] z, Dataset d) {
        int n = d.size(), c = d.classes();
        if (z.length != (long) n * c) throw new IllegalArgumentException(z.length + " logits are not " + n + " samples × " + c + " classes");
        int[][] confusion = new int[c][c];
        int correct = 0;
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            double max = z[i * c];
            for (int k = 1; k < c; k++) {
                if (z[i * c + k] > max) {
                    max = z[i * c + k];
                    best = k;
                }
            }
            double sum = 0;
            for (int k = 0; k < c; k++) sum += Math.exp(z[i * c + k] - max);
            loss += max + Math.log(sum) - z[i * c + d.label(i)];
            confusion[d.label(i)][best]++;
            if (best == d.label(i)) correct++;
        }
        return new Evaluation(n, n == 0 ? Double.NaN : (double) correct / n, n == 0 ? Double.NaN : loss / n, confusion);
    }

    /** The confusion matrix as aligned text. */
    public String confusionTable() {
        StringBuilder b = new StringBuilder("true\\pred");
        int k = confusion.length;
        for (int j = 0; j < k; j++) b.append(String.format("%6d", j));
        b.append('\n');
        for (int i = 0; i < k; i++) {
            b.append(String.format("%9d", i));
            for (int j = 0; j < k; j++) b.append(String.format("%6d", confusion[i][j]));
            b.append('\n');
        }
        return b.toString();
    }
}
