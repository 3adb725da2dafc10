package dev.convexcnn.ccnn;

import dev.convexcnn.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a CCNN layer by layer through the dual (DCCNN, Bai, Ke & Honorio, arXiv 2205.14056, as we derived it:
 * see {@link PenalizedProgram}). Per layer: the same whitening and feature map as {@link CcnnTrainer}, then
 * {@link DualSolver} on the streamed features, then {@link DualRecovery} for the filters and linear weights,
 * certified by the duality gap of the recovered A. The recovered filters feed the next layer. When the solver's
 * own primal iterate has a lower objective than the recovered A (an inexact dual point), that iterate is kept and
 * the certificate says so ({@link DualCertificate#source()}).
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
            int m = layer.featureDim(), Q = layer.positions(), c1 = train.classes() - 1;
            double[] wr = rec.w();
            PenalizedProgram.Pass pass = PenalizedProgram.pass(fs, wr, false);
            double primal = pass.loss() + lambda * PenalizedProgram.nuclearNorm(wr, m, Q, c1);
            CcnnModel.Factors factors = rec.factors();
            String source = "dual";
            PenalizedProgram.Pass mp = PenalizedProgram.pass(fs, dual.multiplier(), false);
            double mPrimal = mp.loss() + lambda * PenalizedProgram.nuclearNorm(dual.multiplier(), m, Q, c1);
            // Prefer the recovery (the method); keep the multiplier only when it is clearly better.
            if (mPrimal < primal - Math.max(settings.tolerance(), 1e-9) * Math.max(1, Math.abs(primal))) {
                factors = CcnnModel.Factors.of(new dev.convexcnn.linalg.DoubleMatrix(m, Q * c1,
                        ProjectedSgd.toA(dual.multiplier(), m, Q, c1)).svd(), m, Q, c1);
                primal = mPrimal;
                pass = mp;
                source = "multiplier";
            }
            int iters = dual.checks().isEmpty() ? 0 : dual.checks().get(dual.checks().size() - 1).iteration();
            double ratio = dual.checks().isEmpty() ? Double.NaN : dual.checks().get(dual.checks().size() - 1).constraintRatio();
            DualCertificate cert = new DualCertificate(layerNo, n, lambda, lmax, primal, dual.dualObjective(), ratio,
                    rec.subspace(), factors.rank(), iters, (System.nanoTime() - t0) / 1e9, pass.accuracy(), source);
            certs.add(cert);
            log.onMessage(String.format("layer %d: %d filters from the %s (recovery subspace %d); P %.8g, D %.8g, gap %.3g, train accuracy %.4f",
                    layerNo, cert.filters(), source, cert.subspace(), cert.primal(), cert.dual(), cert.gap(), cert.accuracy()));
            if (l + 1 < s.layers().size()) {
                int r = Math.max(1, Math.min(ls.filters(), factors.rank()));
                CcnnLayer withFilters = layer.withFilters(factors.leftVectors(r), r);
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
                last = factors;
            }
        }
        return CcnnModel.createDual(layers, last, train.classes(), s, certs, train.name());
    }
}
