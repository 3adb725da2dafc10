package dev.convexcnn.experiments;

import dev.convexcnn.ccnn.CcnnLayer;
import dev.convexcnn.ccnn.CcnnSettings;
import dev.convexcnn.ccnn.CcnnTrainer;
import dev.convexcnn.ccnn.DualSolver;
import dev.convexcnn.ccnn.FeatureSource;
import dev.convexcnn.ccnn.LayerSettings;
import dev.convexcnn.ccnn.PenalizedProgram;
import dev.convexcnn.ccnn.WorkingSetSolver;
import dev.convexcnn.data.Dataset;

/**
 * The dual solvers side by side on the first n MNIST training images (layer 1 defaults, m random features held
 * in memory, λ = fraction·λ_max of the plain program): one line per check (every 20 iterations; 50 for the plain
 * PDHG). Not a unit test: run it as
 * {@code java -cp lab/target/test-classes:$(cat deps.txt) dev.convexcnn.experiments.DccnnSolverManualTest N M ITERATIONS FRACTION MODES}
 * (deps.txt: lab's classpath, see {@link DccnnMemoryManualTest})
 * with MODES a comma list of: plain (the solver before centring), or letters c (centred, free bias), r (restarts
 * to the average), f (FISTA on the primal pair instead of PDHG), optionally b&lt;β&gt; (step balance); or w (the
 * working-set solver), with n: without momentum restarts, with s: without backtracking (fixed step 1/L).
 */
class DccnnSolverManualTest {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]), m = Integer.parseInt(a[1]), iterations = Integer.parseInt(a[2]);
        double fraction = Double.parseDouble(a[3]);
        Dataset train = DccnnMemoryManualTest.head(n);
        CcnnSettings s = CcnnSettings.layers(1).withLayer(0, LayerSettings.mnistLayer1().withFeatures(m));
        CcnnLayer layer = CcnnTrainer.prepareLayer(0, train.pixels(), n, 28, 28, 1, s);
        FeatureSource fs = FeatureSource.ofMatrix(FeatureSource.materialize(FeatureSource.ofLayer(layer, train.pixels(), train.labels(), n, 10)),
                n, layer.positions(), m, train.labels(), 10);
        double lambda = fraction * DualSolver.lambdaMax(fs);
        for (String mode : a[4].split(",")) {
            if (mode.startsWith("w")) {
                // w: the working-set solver (wn: without momentum restarts)
                WorkingSetSolver.Start st = WorkingSetSolver.start(fs);
                WorkingSetSolver.Result r = WorkingSetSolver.solve(fs, st, lambda, iterations,
                        new WorkingSetSolver.Options(8, 48, 0.5, !mode.contains("n"), !mode.contains("s"), 10, 1e-4, 1), ch -> line(mode, ch));
                System.out.printf("%s: %d iterations, %d rounds, rank %d, gap %.4g%n", mode, r.iterations(), r.rounds(), r.rank(), r.gap());
            } else if (mode.equals("plain")) {
                double norm = PenalizedProgram.featureNorm(fs, 30, 1) * 1.05;
                DualSolver.Result r = DualSolver.solve(fs, lambda, iterations, 1, 50, norm, 1e-4, ch -> line(mode, ch));
                System.out.printf("%s: gap %.4g%n", mode, r.gap());
            } else {
                int bi = mode.indexOf('b');
                double beta = bi >= 0 ? Double.parseDouble(mode.substring(bi + 1)) : 1;
                String flags = bi >= 0 ? mode.substring(0, bi) : mode;
                DualSolver.Options o = new DualSolver.Options(flags.contains("c"), flags.contains("r"), flags.contains("f"), beta, 20, 1e-4, 30, 1);
                DualSolver.Solution sol = DualSolver.solve(fs, lambda, iterations, o, ch -> line(mode, ch));
                System.out.printf("%s: %d iterations, %d restarts, gap %.4g, class-balance residual %.2g%n", mode, sol.iterations(),
                        sol.restarts(), sol.gap(), sol.balanceResidual());
            }
        }
    }

    static void line(String mode, DualSolver.Check ch) {
        System.out.printf("%s %d: P %.6f, gap %.4g (relative %.3g), ‖G‖/λ %.4f, %.1f s%n", mode, ch.iteration(), ch.primal(), ch.gap(),
                ch.gap() / ch.primal(), ch.constraintRatio(), ch.seconds());
    }
}
