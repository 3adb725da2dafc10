package dev.convexcnn.ccnn;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.optim.NuclearNorm;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.convexcnn.linalg.ConvGeometry;
import dev.convexcnn.linalg.DoubleMatrix;
import dev.convexcnn.linalg.Gemm;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a CCNN layer by layer (Zhang, Liang, Wainwright 2017, Algorithms 1–2). For each layer: fit the patch
 * whitening on a seeded sample of patches, build the kernel feature map, solve
 * min_A mean_i ℓ(f_A(x_i), y_i) s.t. ‖A‖_* ≤ R by projected SGD with averaging (features computed per
 * mini-batch, never cached), certify the averaged A by its Frank–Wolfe gap on the training set, factor A by
 * SVD, keep the top-r left singular vectors as filters, and feed the pooled filter outputs to the next layer.
 * The last layer's A is the model's classifier. Every random choice derives from {@link CcnnSettings#seed()}:
 * the same settings, data and backend give the same model.
 *
 * <p>Pixels are used as they come ([0, 1]); the per-patch normalisation makes a global normalisation moot.
 */
public final class CcnnTrainer {
    private static final int PASS_CHUNK = 32;

    private CcnnTrainer() {}

    public static CcnnModel fit(Dataset train, CcnnSettings settings, CcnnListener listener) {
        try {
            return fit(train, settings, listener, Checkpointer.none());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no checkpoint: cannot happen
        }
    }

    /** What a run's state depends on: every setting, and the data. */
    public static com.google.gson.JsonObject fingerprint(CcnnSettings s, Dataset train) {
        return Checkpointer.fingerprint(dev.convexcnn.io.Records.settingsJson(s).getAsJsonObject(), train);
    }

    /**
     * {@link #fit(Dataset, CcnnSettings, CcnnListener)} saving its state through {@code ck} (every interval, after
     * each layer, on SIGTERM) and, when resuming, continuing from it to the uninterrupted run's model. The state: the
     * finished layers' averaged solutions (the rest of a layer, its whitening, features, certificate and filters, is
     * rebuilt from the seed), the current layer's iterate, running average and iteration, and the log; the mini-batch
     * draws are replayed from the seed up to the saved iteration.
     */
    public static CcnnModel fit(Dataset train, CcnnSettings settings, CcnnListener listener, Checkpointer ck) throws IOException {
        if (train.classes() < 2) throw new IllegalArgumentException("need at least 2 classes");
        if (train.size() == 0) throw new IllegalArgumentException("empty training set");
        CcnnListener log = listener == null ? CcnnListener.NONE : listener;
        float[] data = train.pixels();
        int h = train.height(), w = train.width(), c = train.channels();
        List<CcnnLayer> layers = new ArrayList<>();
        List<Certificate> certificates = new ArrayList<>();
        List<IterationRecord> records = new ArrayList<>();
        CcnnModel.Factors last = null;
        int count = settings.layers().size();
        SolverCheckpoint from = ck.resumeFrom();
        Run run = new Run(ck, new ArrayList<>(), records);
        if (from != null) {
            int done = from.integer("layersDone", 0, count);
            for (int l = 0; l < done; l++) run.averages.add(from.doubles("layer" + l + ".average"));
            for (IterationRecord r : loadRecords(from)) {
                records.add(r);
                log.onIteration(r);
            }
            run.from = from;
            ck.resumed(done == count ? "the end (" + count + " layers done)"
                    : "layer " + (done + 1) + ", iteration " + from.whole("iteration", 0, Integer.MAX_VALUE));
        }
        for (int l = 0; l < count; l++) {
            LayerSettings ls = settings.layer(l);
            LayerResult res = trainLayer(l, data, h, w, c, train, settings, log, records, run);
            certificates.add(res.certificate);
            int r = ls.filters() == 0 ? res.factors.rank() : Math.min(ls.filters(), res.factors.rank());
            if (r == 0) r = 1; // an all-zero A still gets one (zero) filter so the model is well formed
            log.onLayer(res.certificate, r);
            log.onMessage(String.format("layer %d: objective %.5f, FW gap %.3g, ‖A‖_* %.4g (R %.4g), rank %d, filters %d",
                    l + 1, res.certificate.objective(), res.certificate.gap(), res.certificate.nuclearNorm(),
                    ls.radius(), res.factors.rank(), r));
            if (l + 1 < count) {
                CcnnLayer layer = res.layer.withFilters(res.factors.leftVectors(r), r);
                layers.add(layer);
                int n = train.size();
                int[] shape = layer.outputShape();
                float[] next = new float[Math.multiplyExact(n, shape[0] * shape[1] * shape[2])];
                long o0 = System.nanoTime();
                layer.outputs(data, null, 0, n, next, 0);
                log.onMessage(String.format("layer %d outputs for %d samples: %.1f s", l + 1, n, (System.nanoTime() - o0) / 1e9));
                data = next;
                h = shape[0];
                w = shape[1];
                c = shape[2];
            } else {
                layers.add(res.layer);
                last = res.factors;
            }
        }
        return CcnnModel.create(layers, last, train.classes(), settings, certificates, records, train.name());
    }

    record LayerResult(CcnnLayer layer, CcnnModel.Factors factors, Certificate certificate) {}

    static SplittableRandom random(long seed, int layer, int stream) {
        long s = seed * 0x9E3779B97F4A7C15L + (layer + 1) * 0xBF58476D1CE4E5B9L + stream * 0x94D049BB133111EBL;
        return new SplittableRandom(s);
    }

    /**
     * Whitening and feature map of layer l, fitted on seeded patches of the input grid (n samples of h × w × c):
     * the layer that {@link FeatureSource#ofLayer}, and through it the public solvers, take. Public so that a
     * solver can be run alone on real data (the lab's solver and memory probes).
     */
    public static CcnnLayer prepareLayer(int l, float[] data, int n, int h, int w, int c, CcnnSettings s) {
        LayerSettings ls = s.layer(l);
        ConvGeometry g = new ConvGeometry(h, w, c, ls.patchSize(), ls.patchSize(), ls.stride(), ls.padding());
        int d = g.patchSize(), P = g.patches(), in = g.inputSize();
        int nw = s.whiteningPatches();
        double[] raw = new double[nw * d];
        SplittableRandom rw = random(s.seed(), l, 1);
        for (int i = 0; i < nw; i++) {
            int sample = rw.nextInt(n);
            int p = rw.nextInt(P);
            Patches.extractOne(data, sample * in, g, p, raw, i * d);
        }
        PatchWhitening white = PatchWhitening.fit(raw, nw, d, s.zcaEpsilon(), s.patchNormEpsilon());
        FeatureMap fm;
        if (ls.approximation() == Approximation.FOURIER) {
            fm = RandomFourierFeatures.create(d, ls.features(), ls.gamma(), random(s.seed(), l, 2).nextLong());
        } else {
            int m = ls.features();
            if (m > nw) throw new IllegalArgumentException("Nyström needs features (" + m + ") <= whitening patches (" + nw + ")");
            int[] order = new int[nw];
            for (int i = 0; i < nw; i++) order[i] = i;
            SplittableRandom rl = random(s.seed(), l, 2);
            double[] pick = new double[m * d];
            for (int i = 0; i < m; i++) {
                int j = i + rl.nextInt(nw - i);
                int t = order[i]; order[i] = order[j]; order[j] = t;
                System.arraycopy(raw, order[i] * d, pick, i * d, d);
            }
            double[] landmarks = new double[m * d];
            white.apply(pick, m, landmarks);
            fm = NystromFeatures.create(ls.kernel(), ls.gamma(), landmarks, m, d);
        }
        return new CcnnLayer(g, white, fm, ls.poolSize(), ls.poolStride(), new double[0], 0);
    }

    /** A run's checkpointing: the finished layers' averaged solutions, the log, and the state resumed from. */
    private static final class Run {
        final Checkpointer ck;
        final List<double[]> averages;
        final List<IterationRecord> records;
        SolverCheckpoint from;

        Run(Checkpointer ck, List<double[]> averages, List<IterationRecord> records) {
            this.ck = ck;
            this.averages = averages;
            this.records = records;
        }

        /** The state with layer l at iteration t (opt null: layer l not begun, the layers before it done). */
        void save(int l, int t, ProjectedSgd opt) throws IOException {
            if (!ck.enabled()) return;
            SolverCheckpoint c = ck.state().whole("layersDone", l).whole("iteration", t);
            for (int i = 0; i < l; i++) c.put("layer" + i + ".average", averages.get(i));
            if (opt != null) {
                c.put("iterate", opt.iterate()).put("average", opt.runningAverage()).whole("averaged", opt.averagedCount());
            }
            saveRecords(c, records);
            ck.save(c);
        }
    }

    static void saveRecords(SolverCheckpoint c, List<IterationRecord> records) {
        int n = records.size();
        long[] layer = new long[n], it = new long[n];
        boolean[] projected = new boolean[n];
        double[] loss = new double[n], acc = new double[n], nuc = new double[n], mLoss = new double[n], mGap = new double[n], sec = new double[n];
        for (int i = 0; i < n; i++) {
            IterationRecord r = records.get(i);
            layer[i] = r.layer();
            it[i] = r.iteration();
            loss[i] = r.batchLoss();
            acc[i] = r.batchAccuracy();
            nuc[i] = r.nuclearNorm();
            projected[i] = r.projected();
            mLoss[i] = r.monitorLoss();
            mGap[i] = r.monitorGap();
            sec[i] = r.seconds();
        }
        c.put("log.layer", layer).put("log.iteration", it).put("log.batchLoss", loss).put("log.batchAccuracy", acc)
                .put("log.nuclearNorm", nuc).put("log.projected", projected).put("log.monitorLoss", mLoss).put("log.monitorGap", mGap)
                .put("log.seconds", sec);
    }

    static List<IterationRecord> loadRecords(SolverCheckpoint c) throws IOException {
        int[] layer = c.ints("log.layer");
        int n = layer.length;
        int[] it = c.ints("log.iteration", n);
        boolean[] projected = c.booleans("log.projected", n);
        double[] loss = c.doubles("log.batchLoss", n), acc = c.doubles("log.batchAccuracy", n), nuc = c.doubles("log.nuclearNorm", n),
                mLoss = c.doubles("log.monitorLoss", n), mGap = c.doubles("log.monitorGap", n), sec = c.doubles("log.seconds", n);
        List<IterationRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(new IterationRecord(layer[i], it[i], loss[i], acc[i], nuc[i], projected[i], mLoss[i], mGap[i], sec[i]));
        return out;
    }

    private static LayerResult trainLayer(int l, float[] data, int h, int w, int c, Dataset train, CcnnSettings s,
                                          CcnnListener log, List<IterationRecord> records, Run run) throws IOException {
        long t0 = System.nanoTime();
        LayerSettings ls = s.layer(l);
        int n = train.size(), classes = train.classes(), c1 = classes - 1;
        int[] labels = train.labels();
        CcnnLayer layer = prepareLayer(l, data, n, h, w, c, s);
        int Q = layer.positions(), m = layer.featureDim(), D = Q * m;
        log.onMessage(String.format("layer %d: input %dx%dx%d, %d patches of %d, %s kernel via %s, m=%d, %d pooled positions, A is %dx%d",
                l + 1, h, w, c, layer.geometry().patches(), layer.geometry().patchSize(), ls.kernel(), ls.approximation(),
                m, Q, m, Q * c1));
        ProjectedSgd opt = new ProjectedSgd(m, Q, c1, ls.radius());
        boolean full = s.batchSize() >= n;
        int b = Math.min(s.batchSize(), n);
        double[] f = new double[Math.multiplyExact(b, D)];
        double[] logits = new double[b * c1];
        double[] delta = new double[b * c1];
        double[] grad = new double[D * c1];
        int[] idx = new int[b];
        int[] lab = new int[b];
        if (full) for (int k = 0; k < b; k++) idx[k] = k;
        SplittableRandom rb = random(s.seed(), l, 3);
        int T = ls.iterations();
        int tail = Math.max(1, (int) Math.round(T * s.averageTail()));
        int monitor = Math.min(s.monitorSamples(), n);
        long nsFeatures = 0, nsGradient = 0, nsProjection = 0, nsMonitor = 0;
        int first = 1;
        boolean finished = l < run.averages.size();
        if (finished) {
            first = T + 1; // a layer the resumed state holds as done: only its end is rebuilt
        } else if (run.from != null && run.from.integer("layersDone", 0, Integer.MAX_VALUE) == l && run.from.has("iterate")) {
            SolverCheckpoint st = run.from;
            int done = st.integer("iteration", 0, T);
            try {
                opt.restore(st.doubles("iterate", D * c1), st.doubles("average", D * c1), st.whole("averaged", 0, done));
            } catch (IllegalArgumentException e) {
                throw new dev.convexcnn.io.ModelFormatException(st.source(), e.getMessage());
            }
            // The mini-batch draws of the iterations done, replayed: the generator is where it was.
            if (!full) for (long k = (long) done * b; k > 0; k--) rb.nextInt(n);
            first = done + 1;
        }
        if (run.from != null && !finished) run.from = null; // used once
        for (int t = first; t <= T; t++) {
            if (!full) for (int k = 0; k < b; k++) idx[k] = rb.nextInt(n);
            for (int k = 0; k < b; k++) lab[k] = labels[idx[k]];
            long k0 = System.nanoTime();
            layer.pooledFeatures(data, idx, 0, b, f, 0);
            long k1 = System.nanoTime();
            Gemm.dgemm(false, false, b, c1, D, 1, f, opt.iterate(), 0, logits);
            int[] correct = new int[1];
            double loss = MultinomialLogistic.evaluate(logits, b, classes, lab, 0, 1.0 / b, delta, correct) / b;
            Gemm.dgemm(true, false, D, c1, b, 1, f, delta, 0, grad);
            long k2 = System.nanoTime();
            NuclearNorm.Projection p = opt.step(grad, ls.learningRate(), t > T - tail);
            long k3 = System.nanoTime();
            nsFeatures += k1 - k0;
            nsGradient += k2 - k1;
            nsProjection += k3 - k2;
            if (t % s.logEvery() == 0 || t == T) {
                double mLoss = Double.NaN, mGap = Double.NaN;
                if (monitor > 0) {
                    Pass pass = pass(layer, data, labels, monitor, opt.iterate(), classes, true);
                    mLoss = pass.loss;
                    mGap = gap(opt.iterate(), pass.grad, m, Q, c1, ls.radius());
                }
                double nuc = p.moved() ? ls.radius() : p.nuclearNormBefore();
                IterationRecord rec = new IterationRecord(l + 1, t, loss, (double) correct[0] / b, nuc, p.moved(),
                        mLoss, mGap, (System.nanoTime() - t0) / 1e9);
                records.add(rec);
                log.onIteration(rec);
                nsMonitor += System.nanoTime() - k3;
            }
            if (run.ck.due()) run.save(l, t, opt);
        }
        double[] avg = finished ? run.averages.get(l).clone() : opt.average();
        if (!finished) {
            run.averages.add(avg.clone());
            run.save(l + 1, 0, null); // the layer is done: its end kept (the final state after the last layer)
        }
        long k4 = System.nanoTime();
        int nc = s.certificateSamples() == 0 ? n : Math.min(n, s.certificateSamples());
        Pass pass = pass(layer, data, labels, nc, avg, classes, true);
        double[] a = ProjectedSgd.toA(avg, m, Q, c1);
        double[] ga = ProjectedSgd.toA(pass.grad, m, Q, c1);
        double spec = NuclearNorm.spectralNorm(ga, m, Q * c1);
        double dot = 0;
        for (int i = 0; i < a.length; i++) dot += a[i] * ga[i];
        DoubleMatrix.Svd svd = new DoubleMatrix(m, Q * c1, a).svd();
        double nuclear = 0;
        for (double v : svd.s()) nuclear += v;
        Certificate cert = new Certificate(l + 1, nc, pass.loss, dot + ls.radius() * spec, nuclear, ls.radius(), spec, pass.accuracy);
        log.onMessage(String.format("layer %d time: batch features %.1f s, loss+gradient %.1f s, projection %.1f s, monitor %.1f s, "
                        + "certificate (%d samples) + SVD %.1f s, total %.1f s", l + 1, nsFeatures / 1e9, nsGradient / 1e9,
                nsProjection / 1e9, nsMonitor / 1e9, nc, (System.nanoTime() - k4) / 1e9, (System.nanoTime() - t0) / 1e9));
        return new LayerResult(layer, CcnnModel.Factors.of(svd, m, Q, c1), cert);
    }

    /** Frank–Wolfe gap of a W-layout iterate and gradient. */
    static double gap(double[] w, double[] g, int m, int Q, int c1, double radius) {
        return NuclearNorm.frankWolfeGap(ProjectedSgd.toA(w, m, Q, c1), ProjectedSgd.toA(g, m, Q, c1), m, Q * c1, radius);
    }

    record Pass(double loss, double accuracy, double[] grad) {}

    /** Mean loss, accuracy and (optionally) mean gradient over the first {@code count} samples, in chunks. */
    static Pass pass(CcnnLayer layer, float[] data, int[] labels, int count, double[] wLayout, int classes, boolean wantGrad) {
        int Q = layer.positions(), m = layer.featureDim(), D = Q * m, c1 = classes - 1;
        int chunk = Math.min(PASS_CHUNK, count);
        double[] f = new double[chunk * D];
        double[] logits = new double[chunk * c1];
        double[] delta = wantGrad ? new double[chunk * c1] : null;
        double[] grad = wantGrad ? new double[D * c1] : null;
        double loss = 0;
        int[] correct = new int[1];
        for (int from = 0; from < count; from += chunk) {
            int nb = Math.min(chunk, count - from);
            layer.pooledFeatures(data, null, from, nb, f, 0);
            Gemm.dgemm(false, false, nb, c1, D, 1, f, wLayout, 0, logits);
            loss += MultinomialLogistic.evaluate(logits, nb, classes, labels, from, 1.0 / count, delta, correct);
            if (wantGrad) Gemm.dgemm(true, false, D, c1, nb, 1, f, delta, 1, grad);
        }
        return new Pass(loss / count, (double) correct[0] / count, grad);
    }
}
