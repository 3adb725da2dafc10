package dev.convexcnn.ccnn;

import dev.convexcnn.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a CCNN layer by layer through the dual (DCCNN, Bai, Ke & Honorio, arXiv 2205.14056, as we derived it:
 * see {@link PenalizedProgram}). Per layer: the same whitening and feature map as {@link CcnnTrainer}, then
 * {@link DualSolver} on the streamed features, then {@link DualRecovery} for the filters and linear weights,
 * certified by the duality gap of the recovered A. The recovered filters feed the next layer.
 */
public final class DccnnTrainer {
    private DccnnTrainer() {}

    public static CcnnModel fit(Dataset train, DccnnSettings settings, CcnnListener listener) {
        if (train.classes() < 2) throw new IllegalArgumentException("need at least 2 classes");
        if (train.size() == 0) throw new IllegalArgumentException("empty training set");
        CcnnListener log = listener == null ? CcnnListener.NONE : listener;
        CcnnSettings s = settings.base();
        float[] data = train.pixels();
        int h = train.height(), w = train.width(), c = train.channels(), n = train.size();
        List<CcnnLayer> layers = new ArrayList<>();
        List<DualCertificate> certs = new ArrayList<>();
        CcnnModel.Factors last = null;
        for (int l = 0; l < s.layers().size(); l++) {
            long t0 = System.nanoTime();
            LayerSettings ls = s.layer(l);
            CcnnLayer layer = CcnnTrainer.prepareLayer(l, data, n, h, w, c, s);
            FeatureSource fs = FeatureSource.ofLayer(layer, data, train.labels(), n, train.classes());
            boolean cached = (double) n * layer.positions() * layer.featureDim() * 8 <= settings.featureCacheBytes();
            if (cached) {
                fs = FeatureSource.ofMatrix(FeatureSource.materialize(fs), n, layer.positions(), layer.featureDim(),
                        train.labels(), train.classes());
            }
            double norm = PenalizedProgram.featureNorm(fs, settings.powerIterations(), CcnnTrainer.random(s.seed(), l, 4).nextLong()) * 1.05;
            double lmax = DualSolver.lambdaMax(fs);
            double lambda = settings.lambda() > 0 ? settings.lambda() : settings.lambdaFraction() * lmax;
            final int layerNo = l + 1;
            log.onMessage(String.format("layer %d: %d positions x %d features (%s), lambda %.4g (lambda_max %.4g), ‖F‖ %.4g",
                    layerNo, layer.positions(), layer.featureDim(), cached ? "held in memory" : "streamed per pass", lambda, lmax, norm));
            DualSolver.Result dual = DualSolver.solve(fs, lambda, ls.iterations(), settings.balance(), settings.checkEvery(),
                    norm, settings.tolerance(), ch -> log.onMessage(String.format(
                            "layer %d, iteration %d: primal %.8g, dual %.8g, gap %.3g, ‖G‖/λ %.6f, %.1f s", layerNo,
                            ch.iteration(), ch.primal(), ch.dual(), ch.gap(), ch.constraintRatio(), ch.seconds())));
            DualRecovery.Result rec = DualRecovery.recover(fs, dual.dual(), lambda, settings.rankTolerance(), settings.recoveryIterations());
            double[] wr = rec.w();
            PenalizedProgram.Pass pass = PenalizedProgram.pass(fs, wr, false);
            double primal = pass.loss() + lambda * PenalizedProgram.nuclearNorm(wr, layer.featureDim(), layer.positions(), train.classes() - 1);
            int iters = dual.checks().isEmpty() ? 0 : dual.checks().get(dual.checks().size() - 1).iteration();
            double ratio = dual.checks().isEmpty() ? Double.NaN : dual.checks().get(dual.checks().size() - 1).constraintRatio();
            DualCertificate cert = new DualCertificate(layerNo, n, lambda, lmax, primal, dual.dualObjective(), ratio,
                    rec.subspace(), rec.factors().rank(), iters, (System.nanoTime() - t0) / 1e9, pass.accuracy());
            certs.add(cert);
            log.onMessage(String.format("layer %d: recovered %d filters (subspace %d); P(A_rec) %.8g, D %.8g, gap %.3g, train accuracy %.4f",
                    layerNo, cert.filters(), cert.subspace(), cert.primal(), cert.dual(), cert.gap(), cert.accuracy()));
            if (l + 1 < s.layers().size()) {
                int r = Math.max(1, Math.min(ls.filters(), rec.factors().rank()));
                CcnnLayer withFilters = layer.withFilters(rec.factors().leftVectors(r), r);
                layers.add(withFilters);
                int[] shape = withFilters.outputShape();
                float[] next = new float[Math.multiplyExact(n, shape[0] * shape[1] * shape[2])];
                withFilters.outputs(data, null, 0, n, next, 0);
                data = next;
                h = shape[0];
                w = shape[1];
                c = shape[2];
            } else {
                layers.add(layer);
                last = rec.factors();
            }
        }
        return CcnnModel.createDual(layers, last, train.classes(), s, certs, train.name());
    }
}
