package dev.convexcnn.ccnn;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.linalg.BlasThreads;
import dev.convexcnn.linalg.Parallel;
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

    /** The second, wider band of singular values of −G the recovery tries (σ ≥ 0.5·σ_max). */
    static final double WIDE_RANK_TOLERANCE = 0.5;
    /** At most this many pairs in the wider band: its S fit costs n·Q·r² per product. */
    static final int WIDE_MAX_RANK = 12;

    /**
     * The working-set solver: directions added per round, and the relative threshold (see {@link WorkingSetSolver.Options}).
     * 16 a round, not 8: layer 2 of MNIST holds 160–180 directions at its optimum, and each round costs two passes over
     * the features (on 10,000 images 12 rounds instead of 21, 2,060 reduced iterations instead of 3,010).
     */
    static final int WS_DIRECTIONS = 16;
    static final double WS_THRESHOLD = 0.5;
    /** The recovery's S fit is skipped above this many flops when the working set's own iterate is certified. */
    static final double RECOVERY_FLOPS = 2e11;

    /** Where a layer's solver state is kept and found (a training command's checkpoint file). */
    public interface Checkpoints {
        /** The state layer (1-based) continues from, or null. */
        WorkingSetSolver.State resumeFrom(int layer);

        /** Where layer's states go. */
        WorkingSetSolver.Checkpoints sink(int layer);
    }

    public static CcnnModel fit(Dataset train, DccnnSettings settings, CcnnListener listener) {
        return fit(train, settings, listener, null);
    }

    /**
     * As above; the working-set solver's state goes to {@code states} (null: none) as it runs, and a layer with a
     * state there continues from it (see {@link Checkpoints}).
     */
    public static CcnnModel fit(Dataset train, DccnnSettings settings, CcnnListener listener, Checkpoints states) {
        if (train.classes() < 2) throw new IllegalArgumentException("need at least 2 classes");
        if (train.size() == 0) throw new IllegalArgumentException("empty training set");
        CcnnListener log = listener == null ? CcnnListener.NONE : listener;
        CcnnSettings s = settings.base();
        float[] data = train.pixels();
        int h = train.height(), w = train.width(), c = train.channels(), n = train.size();
        List<CcnnLayer> layers = new ArrayList<>();
        List<DualCertificate> certs = new ArrayList<>();
        CcnnModel.Factors last = null;
        double[] lastBias = null;
        for (int l = 0; l < s.layers().size(); l++) {
            long t0 = System.nanoTime();
            LayerSettings ls = s.layer(l);
            CcnnLayer layer = CcnnTrainer.prepareLayer(l, data, n, h, w, c, s);
            FeatureSource fs = FeatureSource.ofLayer(layer, data, train.labels(), n, train.classes());
            double featureBytes = (double) n * layer.positions() * layer.featureDim() * 8;
            boolean cached = featureBytes <= settings.featureCacheLimit();
            if (!cached && featureBytes <= settings.featureCacheBytes()) {
                log.onMessage(String.format("layer %d: features computed on every pass, not held: their %,.0f MiB fit --feature-cache-mb "
                        + "but not a quarter of the maximum heap (%,d MiB)", l + 1, featureBytes / (1 << 20), settings.featureCacheLimit() >> 20));
            }
            if (cached) {
                fs = FeatureSource.ofMatrix(FeatureSource.materialize(fs), n, layer.positions(), layer.featureDim(),
                        train.labels(), train.classes());
            }
            // Streamed features: every pass computes them on Java workers, and a threaded OpenBLAS's own threads, which
            // spin after each call, took their cores (a pass of the default layer over 60,000 images about 2x slower).
            BlasThreads.Scope blas = cached ? null : BlasThreads.singleThreaded();
            FilterOutputs outputs = null;
            try {
                WorkingSetSolver.Start start = settings.workingSet() ? WorkingSetSolver.start(fs) : null;
                double lmax = start != null ? start.lambdaMax() : DualSolver.lambdaMax(fs);
                double lambda = settings.lambda() > 0 ? settings.lambda() : settings.lambdaFraction() * lmax;
                final int layerNo = l + 1;
                int m = layer.featureDim(), Q = layer.positions(), c1 = train.classes() - 1;
                DualSolver.Listener onCheck = ch -> {
                    log.onMessage(String.format("layer %d, iteration %d: primal %.8g, dual %.8g, gap %.3g (relative %.3g), ‖G‖/λ %.6f, %.1f s",
                            layerNo, ch.iteration(), ch.primal(), ch.dual(), ch.gap(), ch.gap() / Math.max(1e-300, Math.abs(ch.primal())),
                            ch.constraintRatio(), ch.seconds()));
                    log.onCheck(layerNo, ch, settings.tolerance());
                };
                long powerSeed = CcnnTrainer.random(s.seed(), l, 4).nextLong();
                // The program the certificate is about: the features (centred or not), the multiplier and its bias, p̃.
                FeatureSource solved;
                double[] multiplier, multiplierBias, dualPoint, centreRow = null;
                double dualObjective, ratio;
                int iters;
                boolean centre = settings.centre();
                WorkingSetSolver.Result ws = null;
                if (settings.workingSet()) {
                    // Kept free for the solve's own arrays: each thread's block of streamed features and its gradient
                    // (a pass), and the solver's n × C points (about ten of them). Without it a 10,000-image run that
                    // fitted a 64 MiB heap ran out in 80 MiB, where the larger budget took the room its passes needed.
                    long reserve = 8L * (Parallel.threads() * ((long) PenalizedProgram.CHUNK + c1) * Q * m + 10L * n * (c1 + 1));
                    long budget = settings.filterOutputsBudget(reserve);
                    WorkingSetSolver.Options wo = new WorkingSetSolver.Options(WS_DIRECTIONS, settings.maxDirections(), WS_THRESHOLD, settings.restart(), true,
                            settings.checkEvery(), settings.tolerance(), powerSeed).spillingOver(budget, settings.spillDirectory());
                    WorkingSetSolver.State from = states == null ? null : states.resumeFrom(layerNo);
                    if (from != null) log.onMessage(String.format("layer %d: continuing the dual solve from iteration %d (round %d%s)", layerNo,
                            from.iterations(), from.round(), from.finished() ? ", finished" : ""));
                    WorkingSetSolver.Checkpoints sink = states == null ? null : states.sink(layerNo);
                    ws = WorkingSetSolver.solve(fs, start, lambda, ls.iterations(), wo, onCheck, sink, from);
                    log.onMessage(String.format("layer %d: working set of %d directions (of %d features) in %d rounds, %d reduced iterations, "
                                    + "%d restarts, class-balance residual %.2g, %s", layerNo, ws.rank(), layer.featureDim(), ws.rounds(),
                            ws.iterations(), ws.restarts(), ws.balanceResidual(), ws.converged() ? "tolerance reached" : "tolerance NOT reached"
                                    + whyNot(ws, settings.maxDirections(), layer.featureDim(), ls.iterations())));
                    solved = ws.reduced();
                    if (solved instanceof FilterOutputs fo) {
                        outputs = fo;
                        if (fo.spilledBytes() > 0) {
                            log.onMessage(String.format("layer %d: filter outputs %,d MiB in memory, %,d MiB in files in %s (the budget: %,d MiB; --filter-outputs-mb)",
                                    layerNo, fo.heldBytes() >> 20, fo.spilledBytes() >> 20, settings.spillDirectory(), budget >> 20));
                        }
                    }
                    centreRow = ws.centre();
                    multiplier = ws.x();
                    multiplierBias = ws.bias();
                    dualPoint = ws.dual();
                    dualObjective = ws.dualObjective();
                    ratio = ws.constraintRatio();
                    iters = ws.iterations();
                } else if (centre || settings.restart() || settings.fista()) {
                    DualSolver.Solution sol = DualSolver.solve(fs, lambda, ls.iterations(), new DualSolver.Options(centre,
                            settings.restart(), settings.fista(), settings.balance(), settings.checkEvery(), settings.tolerance(),
                            settings.powerIterations(), powerSeed), onCheck);
                    log.onMessage(String.format("layer %d: %s by %s, %d restarts, class-balance residual %.2g", layerNo,
                            centre ? "centred features with a free bias" : "plain program", settings.fista() ? "FISTA" : "PDHG",
                            sol.restarts(), sol.balanceResidual()));
                    solved = sol.features(fs);
                    centreRow = sol.centre();
                    multiplier = sol.w();
                    multiplierBias = sol.bias();
                    dualPoint = sol.dual();
                    dualObjective = sol.dualObjective();
                    ratio = sol.constraintRatio();
                    iters = sol.iterations();
                } else {
                    double norm = PenalizedProgram.featureNorm(fs, settings.powerIterations(), powerSeed) * 1.05;
                    log.onMessage(String.format("layer %d: plain PDHG, ‖F‖ %.4g", layerNo, norm));
                    DualSolver.Result dual = DualSolver.solve(fs, lambda, ls.iterations(), settings.balance(), settings.checkEvery(),
                            norm, settings.tolerance(), onCheck);
                    solved = fs;
                    multiplier = dual.multiplier();
                    multiplierBias = null;
                    dualPoint = dual.dual();
                    dualObjective = dual.dualObjective();
                    ratio = dual.checks().isEmpty() ? Double.NaN : dual.checks().get(dual.checks().size() - 1).constraintRatio();
                    iters = dual.checks().isEmpty() ? 0 : dual.checks().get(dual.checks().size() - 1).iteration();
                }
                log.onMessage(String.format("layer %d: %d positions x %d features (%s), lambda %.4g (lambda_max %.4g)",
                        layerNo, Q, m, cached ? "held in memory" : "streamed per pass", lambda, lmax));
                // On the working set's reduced features (dimension r) the recovery and P are exact; the factors are lifted below.
                int md = solved.dim(), recIters = settings.recoveryIterations();
                if (ws != null && ws.converged()) {
                    // The S fit costs n·Q·r·(r + C)·4 flops per iteration; past RECOVERY_FLOPS the certified iterate is kept.
                    int band = DualRecovery.bandSize(solved, dualPoint, settings.rankTolerance(), Integer.MAX_VALUE);
                    double flops = 4.0 * n * Q * band * (band + c1 + 1) * settings.recoveryIterations();
                    if (flops > RECOVERY_FLOPS) {
                        log.onMessage(String.format("layer %d: recovery skipped (S fit over %d directions: %.1e flops); the certified iterate is kept",
                                layerNo, band, flops));
                        recIters = 0;
                    }
                }
                DualRecovery.Result rec = DualRecovery.recover(solved, dualPoint, lambda, settings.rankTolerance(), recIters, centre);
                double[] wr = rec.w();
                double[] biasUsed = centre ? rec.bias() : null;
                PenalizedProgram.Pass pass = PenalizedProgram.pass(solved, wr, biasUsed, false);
                double primal = pass.loss() + lambda * WorkingSetSolver.nuclearNorm(wr, md, Q, c1);
                // The wider band only when the first recovery is not already within the tolerance (each S fit costs minutes at n = 10,000).
                if (recIters > 0 && settings.rankTolerance() < WIDE_RANK_TOLERANCE && primal - dualObjective > settings.tolerance() * Math.abs(primal)) {
                    // From an inexact dual point the top singular values of −G are spread out and the 10 % band can miss
                    // directions A* needs; a wider band costs only r² more variables in the S fit, which zeroes the extra ones.
                    DualRecovery.Result wide = DualRecovery.recover(solved, dualPoint, lambda, WIDE_RANK_TOLERANCE, settings.recoveryIterations(),
                            centre, Math.max(WIDE_MAX_RANK, rec.subspace()));
                    if (wide.subspace() > rec.subspace()) {
                        double[] ww = wide.w();
                        PenalizedProgram.Pass wp = PenalizedProgram.pass(solved, ww, centre ? wide.bias() : null, false);
                        double wPrimal = wp.loss() + lambda * WorkingSetSolver.nuclearNorm(ww, md, Q, c1);
                        log.onMessage(String.format("layer %d: recovery from the %d-direction band: P %.8g; from the %d-direction band (σ ≥ %.1f·σ_max): P %.8g",
                                layerNo, rec.subspace(), primal, wide.subspace(), 1 - WIDE_RANK_TOLERANCE, wPrimal));
                        if (wPrimal < primal) {
                            rec = wide;
                            wr = ww;
                            biasUsed = centre ? wide.bias() : null;
                            pass = wp;
                            primal = wPrimal;
                        }
                    }
                }
                CcnnModel.Factors factors = rec.factors();
                double[] wUsed = wr;
                String source = "dual";
                PenalizedProgram.Pass mp = PenalizedProgram.pass(solved, multiplier, multiplierBias, false);
                double mPrimal = mp.loss() + lambda * WorkingSetSolver.nuclearNorm(multiplier, md, Q, c1);
                // Prefer the recovery (the method); keep the multiplier only when it is clearly better.
                // (or when only the multiplier is within the tolerance: the certificate is of the model kept).
                boolean recoveredWithin = primal - dualObjective <= settings.tolerance() * Math.abs(primal);
                if (mPrimal < primal - Math.max(settings.tolerance(), 1e-9) * Math.max(1, Math.abs(primal))
                        || (!recoveredWithin && mPrimal < primal)) {
                    factors = CcnnModel.Factors.of(new dev.convexcnn.linalg.DoubleMatrix(md, Q * c1,
                            ProjectedSgd.toA(multiplier, md, Q, c1)).svd(), md, Q, c1);
                    primal = mPrimal;
                    pass = mp;
                    wUsed = multiplier;
                    biasUsed = multiplierBias;
                    source = "multiplier";
                }
                double accuracy = pass.accuracy();
                if (ws != null) {
                    factors = ws.lift(factors, m);
                    wUsed = ws.lift(wUsed, m, Q, c1);
                    if (ws.rounded()) {
                        // The reduced features were float: the certificate's P comes from the features themselves.
                        if (source.equals("multiplier")) {
                            primal = ws.primal();
                            accuracy = ws.accuracy();
                        } else {
                            PenalizedProgram.Pass exact = PenalizedProgram.pass(DualSolver.centred(fs, centreRow), wUsed, biasUsed, false);
                            primal = exact.loss() + lambda * WorkingSetSolver.nuclearNorm(wUsed, m, Q, c1);
                            accuracy = exact.accuracy();
                        }
                    }
                }
                DualCertificate cert = new DualCertificate(layerNo, n, lambda, lmax, primal, dualObjective, ratio,
                        rec.subspace(), factors.rank(), iters, (System.nanoTime() - t0) / 1e9, accuracy, source);
                certs.add(cert);
                log.onMessage(String.format("layer %d: %d filters from the %s (recovery subspace %d); P %.8g, D %.8g, gap %.3g, train accuracy %.2f %%",
                        layerNo, cert.filters(), source, cert.subspace(), cert.primal(), cert.dual(), cert.gap(), 100 * cert.accuracy()));
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
                    // The model reads raw features: its bias is b − cᵀw (the centring's share moved into the bias).
                    lastBias = new double[c1];
                    if (biasUsed != null) {
                        for (int k = 0; k < c1; k++) {
                            double v = biasUsed[k];
                            for (int j = 0; j < centreRow.length; j++) v -= centreRow[j] * wUsed[j * c1 + k];
                            lastBias[k] = v;
                        }
                    }
                }
            } finally {
                if (outputs != null) outputs.close();
                if (blas != null) blas.close();
            }
        }
        return CcnnModel.createDual(layers, last, lastBias, train.classes(), s, certs, train.name());
    }

    /** Which budget stopped a working-set solve short of its tolerance, and the flag that raises it. */
    static String whyNot(WorkingSetSolver.Result ws, int maxDirections, int features, int iterations) {
        if (ws.rank() >= Math.min(maxDirections, features) && ws.iterations() < iterations) {
            return String.format(": the working set is full at %d directions (raise --max-directions)", ws.rank());
        }
        return ws.iterations() >= iterations ? String.format(": the %,d iterations are spent (raise --iterations)", iterations) : "";
    }
}
