package dev.convexcnn.ccnn;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.method.Budget;
import dev.convexcnn.method.DataInfo;
import dev.convexcnn.method.Method;
import dev.convexcnn.method.MethodInfo;
import dev.convexcnn.method.MethodOptions;
import dev.convexcnn.method.Plan;
import dev.convexcnn.method.Trace;
import dev.convexcnn.method.TrainContext;
import dev.convexcnn.method.Trained;
import dev.convexcnn.optim.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** DCCNN: CCNN's nuclear-norm-penalised program solved in the dual, filters and weights recovered from it. */
public final class DccnnMethod implements Method<DccnnSettings> {
    @Override public String id() { return "dccnn"; }

    @Override
    public MethodInfo info() {
        return new MethodInfo("the dual of CCNN, weight recovery, duality-gap certificate",
                "CCNN's program with the nuclear norm as a penalty, solved through its dual (one dual vector per sample; the "
                        + "spectral-norm constraint needs no kernel matrix), then the filters and linear weights recovered from the "
                        + "dual solution by a small convex fit over its top singular subspace. The duality gap certifies each layer.",
                "Bai, Ke and Honorio, Dual Convexified Convolutional Neural Networks (arXiv 2205.14056; TMLR 2024)",
                new MethodInfo.Fidelity(MethodInfo.Kind.OUR_DERIVATION,
                        "the dual and the recovery are derived here (with an unpenalised bias on centred features) and checked on small problems"));
    }

    /** Two layers, λ = 0.01·λ_max, relative gap 1e-6 checked every 50 passes. */
    @Override
    public DccnnSettings defaults(DataInfo data) {
        return DccnnSettings.of(CcnnSettings.layers(2)).withLambda(0.01, 0).withTolerance(1e-6, 50);
    }

    @Override public long seed(DccnnSettings s) { return s.base().seed(); }

    @Override
    public String describe(DccnnSettings s) {
        StringBuilder b = new StringBuilder(s.base().layers().size() + " layer(s), ≤ dual passes");
        for (LayerSettings l : s.base().layers()) b.append(' ').append(String.format("%,d", l.iterations()));
        return b.append(String.format(", relative gap tolerance %.0e", s.tolerance())).toString();
    }
    @Override public DccnnSettings withSeed(DccnnSettings s, long seed) { return withBase(s, s.base().withSeed(seed)); }

    static DccnnSettings withBase(DccnnSettings s, CcnnSettings base) {
        return new DccnnSettings(base, s.lambdaFraction(), s.lambda(), s.balance(), s.tolerance(), s.checkEvery(), s.rankTolerance(),
                s.recoveryIterations(), s.powerIterations(), s.featureCacheBytes(), s.centre(), s.restart(), s.fista());
    }

    @Override
    public Plan<DccnnSettings> plan(Budget b, DataInfo data) {
        CcnnSettings base = CcnnSettings.layers(1);
        // 200 random features, cached after the first pass: the dual solver reads every feature block once per
        // iteration, and recomputing them dominated its time.
        base = base.withLayer(0, base.layers().get(0).withIterations(b.pick(300, 1_000, 100)).withFeatures(200));
        return new Plan<>(b.pick(1_000, 5_000, 50), DccnnSettings.of(base).withFeatureCache(2L << 30));
    }

    @Override public MethodOptions<DccnnSettings> options() { return new Options(); }

    /** dccnn's options. */
    public static final class Options extends CcnnOptions implements MethodOptions<DccnnSettings> {
        @Option(names = "--lambda", description = "The nuclear-norm penalty λ itself.")
        Double lambda;
        @Option(names = "--lambda-fraction", description = "λ as a fraction of λ_max, when --lambda is not given (default: 0.01).")
        Double lambdaFraction;
        @Option(names = "--tol", description = "Tolerance on the relative duality gap (default: 1e-6).")
        Double tol;
        @Option(names = "--feature-cache-mb", description = "Hold a layer's pooled features in memory when they fit in this many MiB, "
                + "else stream them every pass (default: 512).")
        Long featureCacheMb;
        @Option(names = "--step-balance", description = "β of the primal-dual steps τ = β/L, σ = 1/(βL) (default: 1).")
        Double stepBalance;
        @Option(names = "--dual-solver", description = "centred-fista (features minus their mean, a free bias; FISTA on the primal pair, "
                + "its dual point p = softmax certified and used by the recovery), centred (the same program by PDHG), centred-restarted "
                + "(PDHG with restarts), or plain (no bias, plain PDHG) (default: centred-fista).")
        String dualSolver;

        @Override
        public DccnnSettings apply(DccnnSettings s) {
            s = withBase(s, applyLayers(s.base()));
            if (lambda != null || lambdaFraction != null) {
                if (lambda != null && !(lambda > 0)) throw new IllegalArgumentException("--lambda must be > 0, got " + lambda);
                if (lambdaFraction != null && !(lambdaFraction > 0)) throw new IllegalArgumentException("--lambda-fraction must be > 0, got " + lambdaFraction);
                s = s.withLambda(lambdaFraction != null ? lambdaFraction : s.lambdaFraction(), lambda != null ? lambda : 0);
            }
            if (tol != null) {
                if (!(tol >= 0)) throw new IllegalArgumentException("--tol must be >= 0, got " + tol);
                s = s.withTolerance(tol, s.checkEvery());
            }
            if (featureCacheMb != null) {
                if (featureCacheMb < 0) throw new IllegalArgumentException("--feature-cache-mb must be >= 0, got " + featureCacheMb);
                s = s.withFeatureCache(featureCacheMb << 20);
            }
            if (stepBalance != null) {
                if (!(stepBalance > 0)) throw new IllegalArgumentException("--step-balance must be > 0, got " + stepBalance);
                s = s.withBalance(stepBalance);
            }
            if (dualSolver != null) {
                String v = dualSolver.toLowerCase(Locale.ROOT);
                if (!List.of("centred", "centred-restarted", "centred-fista", "plain").contains(v)) {
                    throw new IllegalArgumentException("--dual-solver must be centred, centred-restarted, centred-fista or plain, got '" + dualSolver + "'");
                }
                s = s.withSolver(!v.equals("plain"), v.equals("centred-restarted"), v.equals("centred-fista"));
            }
            return s;
        }
    }

    @Override
    public Trained train(Dataset train, DccnnSettings s, TrainContext ctx) {
        long total = 0;
        for (LayerSettings l : s.base().layers()) total += l.iterations();
        Trace.Recorder rec = new Trace.Recorder("pass", "primal objective (logistic + λ‖A‖*)", total, ctx.progress());
        rec.message(String.format("data: %d for training; DCCNN with %d layer(s)", train.size(), s.base().layers().size()));
        long[] done = {0};
        CcnnModel model = DccnnTrainer.fit(train, s, new CcnnListener() {
            @Override public void onIteration(IterationRecord r) { rec.step(++done[0], r.batchLoss(), r.batchAccuracy(), Double.NaN); }
            @Override public void onMessage(String m) { rec.message(m); }
        });
        double elapsed = 0;
        for (DualCertificate dc : model.dualCertificates()) {
            elapsed += dc.seconds();
            // The dual solver reports no passes yet: one point per layer, at the end of its solve.
            if (done[0] == 0) rec.add(new Trace.Point(dc.layer(), elapsed, dc.primal(), dc.accuracy(), dc.relativeGap()));
        }
        Trained.Builder b = Trained.of(model, rec.trace());
        List<Certificate> layers = new ArrayList<>();
        for (DualCertificate dc : model.dualCertificates()) {
            layers.add(new Certificate.DualityGap(dc.primal(), dc.dual(), s.tolerance()));
            b.line("duality gap, layer " + dc.layer(), "P %.8g − D %.8g = %.3g (relative %.3g); λ = %.4g (%.4g·λ_max); ‖G(p)‖₂/λ = %.6f; "
                            + "%d iterations; A from the %s", dc.primal(), dc.dual(), dc.gap(), dc.relativeGap(), dc.lambda(),
                    dc.lambda() / dc.lambdaMax(), dc.constraintRatio(), dc.iterations(), dc.source());
        }
        DualCertificate last = model.dualCertificates().get(model.dualCertificates().size() - 1);
        var top = s.base().layers().get(s.base().layers().size() - 1);
        return b.certificate(layers.size() == 1 ? layers.get(0) : new Certificate.Layered(layers))
                .line("dccnn", "dual + weight recovery, %d layer(s), %s kernel via %s", s.base().layers().size(), top.kernel(), top.approximation())
                .line("filters", "%d (last layer %d)", model.filterCount(), model.finalFilters())
                .line("convex variable", "%,d entries in the last layer's A", model.convexParameterCount())
                .figure("filters", model.filterCount())
                .figure("primal", last.primal())
                .figure("dual", last.dual())
                .figure("lambda", last.lambda())
                .figure("lambdaMax", last.lambdaMax())
                .figure("source", String.valueOf(last.source()))
                .build();
    }
}
