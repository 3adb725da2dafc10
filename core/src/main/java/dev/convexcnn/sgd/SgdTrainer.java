package dev.convexcnn.sgd;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.linalg.BlasThreads;
import dev.convexcnn.nn.Batches;
import dev.convexcnn.nn.LayerTimes;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Loss;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.nn.SoftmaxCrossEntropy;
import dev.convexcnn.optim.Adam;
import dev.convexcnn.optim.Optimizer;
import dev.convexcnn.optim.SgdMomentum;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Seeded mini-batch training of a {@link Sequential} network with SGD or Adam on softmax cross-entropy.
 * The order of epoch e is a permutation drawn from (seed, e) alone, so a run resumed from the checkpoint of
 * epoch e ends with the same weights as an uninterrupted run.
 */
public final class SgdTrainer {
    private final TrainSettings settings;

    public SgdTrainer(TrainSettings settings) {
        this.settings = settings;
    }

    public TrainSettings settings() { return settings; }

    /** A finished run: the network, its input normalisation, the per-epoch log and the provenance. */
    public record Result(Sequential net, Normalization normalization, List<EpochRecord> log, JsonObject provenance) {}

    /**
     * Trains on train, evaluating on validation (may be null or empty) after each epoch. With a checkpoint
     * path, a checkpoint is written after every epoch; with resume, a run continues from that checkpoint.
     */
    public Result fit(Dataset train, Dataset validation, Path checkpoint, boolean resume, TrainingListener listener)
            throws IOException {
        Shape shape = new Shape(train.height(), train.width(), train.channels());
        Sequential net = Sequential.of(settings.architecture(), shape, train.classes())
                .initialize(settings.initializer(), settings.seed());
        return fit(net, train, validation, checkpoint, resume, listener);
    }

    /**
     * Trains a network built by the caller (for layers no architecture string names, such as factorised
     * blocks), from its current weights. The settings' architecture is then only a label; a checkpoint can only
     * be resumed into a network built the same way.
     */
    public Result fit(Sequential net, Dataset train, Dataset validation, Path checkpoint, boolean resume,
                      TrainingListener listener) throws IOException {
        if (train.size() == 0) throw new IllegalArgumentException("the training set is empty");

        final TrainSettings s = settings;
        final String fingerprint;
        Normalization norm;
        // The layers' kernels are compiled on the idle core while this thread reads the data (KernelWarmup).
        try (KernelWarmup warmup = KernelWarmup.start(net, train, s.batchSize(), train.classes())) {
            fingerprint = fingerprint(train);
            norm = Normalization.fit(train);
        }
        Optimizer opt = optimizer(net);
        List<EpochRecord> log = new ArrayList<>();
        int start = 0;

        if (resume && checkpoint != null && Files.exists(checkpoint)) {
            Checkpoint c = Checkpoint.read(checkpoint);
            if (!c.settings().sameRunAs(s)) {
                throw new IllegalArgumentException(checkpoint + " was written with other settings (" + c.settings().toJson()
                        + "); resume needs the same settings, only --epochs may grow");
            }
            if (!c.dataFingerprint().equals(fingerprint)) {
                throw new IllegalArgumentException(checkpoint + " was written for other data (" + c.dataFingerprint()
                        + ", now " + fingerprint + ")");
            }
            if (c.epochsDone() > s.epochs()) {
                throw new IllegalArgumentException(checkpoint + " has " + c.epochsDone() + " epochs done, more than the "
                        + s.epochs() + " asked for: the model would be labelled " + s.epochs() + " epochs; ask for "
                        + c.epochsDone() + " or more, or start afresh without resuming");
            }
            c.restoreParameters(net, checkpoint);
            try {
                opt.restore(c.optimizerState(), c.optimizerSteps());
            } catch (IllegalArgumentException e) {
                throw new dev.convexcnn.io.ModelFormatException(checkpoint, e.getMessage());
            }
            norm = c.normalization();
            log.addAll(c.log());
            start = c.epochsDone();
            listener.onMessage("resumed from " + checkpoint + " after epoch " + start);
        } else if (resume && checkpoint != null) {
            listener.onMessage("no checkpoint at " + checkpoint + " yet: starting from the beginning");
        }

        JsonObject provenance = provenance(train, validation, fingerprint);
        // A batch larger than the training set is the whole set (as the last batch of an epoch always was); sized so,
        // a huge --batch-size cannot overflow the batch buffers.
        final int n = train.size(), f = train.features(), classes = train.classes(), bs = Math.min(s.batchSize(), n);
        if (s.batchSize() > n) listener.onMessage("batch size " + s.batchSize() + " is larger than the " + n + " training samples: each step uses all " + n);
        final int batches = (n + bs - 1) / bs;
        float[] grad = new float[bs * classes];
        int[] y = new int[bs];
        Loss loss = new SoftmaxCrossEntropy();
        double elapsed = log.isEmpty() ? 0 : log.get(log.size() - 1).elapsedSeconds();
        BatchShards shards = new BatchShards(net, bs, f, classes);

        // Each shard's BLAS calls on one thread: the shards are the parallelism (see BatchShards).
        try (BlasThreads.Scope blas = BlasThreads.singleThreaded()) {
          boolean concurrent = blas.single();
          for (int epoch = start; epoch < s.epochs(); epoch++) {
            int[] order = permutation(n, s.seed(), epoch);
            if (LayerTimes.ON) LayerTimes.clear();
            long t0 = System.nanoTime();
            double lossSum = 0;
            long correct = 0;
            for (int bi = 0; bi < batches; bi++) {
                int from = bi * bs, b = Math.min(bs, n - from);
                float[] logits = shards.forward(train, order, from, b, norm, y, concurrent);
                double l = loss.evaluate(logits, b, classes, y, null, grad);
                if (!Double.isFinite(l)) {
                    throw new ArithmeticException("the loss became " + l + " in epoch " + (epoch + 1) + ", batch " + (bi + 1)
                            + ": lower the learning rate (now " + s.learningRate() + ")");
                }
                for (int k = 0; k < b; k++) if (Batches.argmax(logits, k * classes, classes) == y[k]) correct++;
                shards.backward(grad, b, concurrent);
                opt.step();
                lossSum += l * b;
                listener.onBatch(epoch + 1, bi + 1, batches, lossSum / (from + b));
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            if (LayerTimes.ON) listener.onMessage(LayerTimes.drain());
            double vLoss = Double.NaN, vAcc = Double.NaN;
            if (validation != null && validation.size() > 0) {
                Evaluation e = Evaluation.of(net, validation, norm, Math.min(Math.max(bs, 256), validation.size()));
                vLoss = e.loss();
                vAcc = e.accuracy();
            }
            elapsed += (System.nanoTime() - t0) / 1e9;
            EpochRecord r = new EpochRecord(epoch + 1, lossSum / n, (double) correct / n, vLoss, vAcc, trainSeconds, elapsed);
            log.add(r);
            if (checkpoint != null) {
                Checkpoint.capture(s, fingerprint, epoch + 1, norm, net, opt, log).write(checkpoint, net, provenance);
            }
            listener.onEpoch(r);
          }
        }
        return new Result(net, norm, List.copyOf(log), provenance);
    }

    private Optimizer optimizer(Sequential net) {
        TrainSettings s = settings;
        if (s.optimizer().equals("adam")) {
            return new Adam(net.params(), s.learningRate(), s.beta1(), s.beta2(), s.epsilon(), s.weightDecay());
        }
        return new SgdMomentum(net.params(), s.learningRate(), s.momentum(), s.weightDecay());
    }

    private JsonObject provenance(Dataset train, Dataset validation, String fingerprint) {
        JsonObject p = Provenance.base();
        p.addProperty("method", settings.optimizer());
        p.add("settings", settings.toJson());
        p.addProperty("seed", settings.seed());
        JsonObject d = new JsonObject();
        d.addProperty("train", train.name());
        d.addProperty("trainSize", train.size());
        d.addProperty("trainFingerprint", fingerprint);
        if (validation != null) {
            d.addProperty("validation", validation.name());
            d.addProperty("validationSize", validation.size());
        }
        p.add("data", d);
        return p;
    }

    /** The sample order of an epoch: a Fisher–Yates shuffle seeded by (seed, epoch) only. */
    public static int[] permutation(int n, long seed, int epoch) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L * (epoch + 1));
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return p;
    }

    /** A short identity of a dataset: its size, shape and a CRC32 over labels and pixels. */
    public static String fingerprint(Dataset d) {
        CRC32 crc = new CRC32();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * 4096);
        float[] px = d.pixels();
        for (int i = 0; i < px.length; i += 4096) {
            b.clear();
            int m = Math.min(4096, px.length - i);
            for (int k = 0; k < m; k++) b.putFloat(px[i + k]);
            b.flip();
            crc.update(b);
        }
        for (int y : d.labels()) crc.update(y);
        return d.size() + "x" + d.height() + "x" + d.width() + "x" + d.channels() + ":" + Long.toHexString(crc.getValue());
    }
}
