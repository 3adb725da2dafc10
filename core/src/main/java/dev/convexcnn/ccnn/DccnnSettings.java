package dev.convexcnn.ccnn;

/**
 * The settings of a DCCNN run: the layers (patches, kernel, features, iterations, filters) come from a
 * {@link CcnnSettings}; the dual replaces the nuclear-norm ball by the penalty λ‖A‖_*. Each layer's
 * {@link LayerSettings#iterations()} caps its dual iterations (one pass over the data each); its radius and
 * learning rate are not used. Construction validates.
 *
 * @param base               layers and shared settings (whitening, seed)
 * @param lambdaFraction     λ = lambdaFraction·λ_max per layer, λ_max = ‖∇L(0)‖₂ (A* = 0 above it); used when lambda is 0
 * @param lambda             λ itself, the same for every layer (0: use the fraction)
 * @param balance            β of the primal–dual steps τ = β/L, σ = 1/(βL)
 * @param tolerance          stop when the duality gap ≤ tolerance·max(1, |P|)
 * @param checkEvery         iterations between gap checks (each costs one pass and one SVD)
 * @param rankTolerance      recovery keeps singular values of −G ≥ (1 − rankTolerance)·σ_max(−G)
 * @param recoveryIterations iterations of the small S fit
 * @param powerIterations    power iterations for ‖F‖₂ (the step sizes)
 * @param featureCacheBytes  a layer's pooled features (n·Q·m doubles) are held in memory when they fit in this many
 *                           bytes and in a quarter of the maximum heap ({@link #featureCacheLimit()}), and computed per
 *                           block on every pass otherwise (0: always streamed)
 * @param centre             solve the centred variant with an unpenalised bias ({@link DualSolver.Options#centre()});
 *                           false: the plain program, by the plain PDHG (the solver before centring), unless restart
 * @param restart            restarts (to the average for PDHG, adaptive momentum restarts for FISTA)
 * @param fista              FISTA on the primal pair instead of PDHG ({@link DualSolver.Options#fista()}); its step
 *                           does not shrink with n, which PDHG's dual step s = σ/n does
 * @param workingSet         the working-set solver ({@link WorkingSetSolver}, centred): FISTA with backtracking and
 *                           restarts on the filter outputs of a growing set of directions, two feature passes per round
 * @param maxDirections      the working set's size at most, per layer (its filter outputs are n·Q·r floats or doubles)
 * @param filterOutputsBytes the working set's float filter outputs are held in memory up to this many bytes, the rest
 *                           in temporary files read once per chunk of a pass (the same values: the same solve, slower);
 *                           -1: half the heap not in use when a layer's solve starts
 * @param spillDir           where those files go (null: java.io.tmpdir); each is unlinked once opened
 */
public record DccnnSettings(CcnnSettings base, double lambdaFraction, double lambda, double balance, double tolerance,
                            int checkEvery, double rankTolerance, int recoveryIterations, int powerIterations, long featureCacheBytes,
                            boolean centre, boolean restart, boolean fista, boolean workingSet, int maxDirections,
                            long filterOutputsBytes, java.nio.file.Path spillDir) {
    public DccnnSettings {
        if (base == null) throw new IllegalArgumentException("base settings are required");
        if (!(lambda >= 0 && lambda < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        if (lambda == 0 && !(lambdaFraction > 0 && lambdaFraction < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("lambda fraction must be > 0, got " + lambdaFraction);
        }
        if (!(balance > 0 && balance < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("step balance must be > 0, got " + balance);
        if (!(tolerance >= 0)) throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        if (checkEvery <= 0) throw new IllegalArgumentException("checkEvery must be > 0, got " + checkEvery);
        if (!(rankTolerance >= 0 && rankTolerance < 1)) throw new IllegalArgumentException("rank tolerance must be in [0, 1), got " + rankTolerance);
        if (recoveryIterations < 0 || powerIterations < 1) throw new IllegalArgumentException("iteration counts must be positive");
        if (featureCacheBytes < 0) throw new IllegalArgumentException("feature cache must be >= 0 bytes, got " + featureCacheBytes);
        if (workingSet && !centre) throw new IllegalArgumentException("the working-set solver solves the centred program");
        if (maxDirections < 1) throw new IllegalArgumentException("max directions must be >= 1, got " + maxDirections);
        if (filterOutputsBytes < -1) throw new IllegalArgumentException("filter outputs' memory must be >= 0 bytes (or -1: automatic), got " + filterOutputsBytes);
    }

    /**
     * The filter outputs' memory budget in bytes: the setting, or when automatic half of what the heap has not in use
     * now beyond {@code reserve}, the bytes the solve itself will need besides them (garbage counts as in use: the
     * estimate errs towards files, which cost time, not memory).
     */
    public long filterOutputsBudget(long reserve) {
        if (filterOutputsBytes >= 0) return filterOutputsBytes;
        Runtime rt = Runtime.getRuntime();
        return Math.max(0, rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) - reserve) / 2;
    }

    /**
     * The feature cache in effect: {@link #featureCacheBytes} but at most a quarter of the maximum heap, so a run in a
     * small heap streams its features instead of running out of memory. It depends on -Xmx, a fixed setting, never on
     * what happens to be free, so a run repeats with the same -Xmx.
     */
    public long featureCacheLimit() {
        return Math.min(featureCacheBytes, Runtime.getRuntime().maxMemory() / 4);
    }

    /** Where spilled filter outputs go. */
    public java.nio.file.Path spillDirectory() {
        return spillDir != null ? spillDir : java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Filter outputs held in memory up to bytes (-1: automatic), the rest in files under dir (null: java.io.tmpdir). */
    public DccnnSettings withFilterOutputs(long bytes, java.nio.file.Path dir) {
        return new DccnnSettings(base, lambdaFraction, lambda, balance, tolerance, checkEvery, rankTolerance, recoveryIterations, powerIterations,
                featureCacheBytes, centre, restart, fista, workingSet, maxDirections, bytes, dir);
    }

    /**
     * Centred, by the working-set solver (on MNIST ahead of full-feature FISTA and PDHG by far at equal time; see
     * docs/ccnn.md), λ = 0.05·λ_max, β 1, gap tolerance 1e-6, checks every 20, rank tolerance 0.1 (generous: extra directions cost
     * only r² in the S fit, which zeroes the ones it does not need; a subspace missing one would lose objective), 1,000 recovery and 30 power iterations, features cached up to 512 MiB, a working set of at most 256 directions (layer 2 of MNIST needed 164), its filter outputs held up to half the free heap. */
    public static DccnnSettings of(CcnnSettings base) {
        return new DccnnSettings(base, 0.05, 0, 1, 1e-6, 20, 0.1, 1000, 30, 512L << 20, true, true, true, true, 256, -1, null);
    }

    public DccnnSettings withLambda(double fraction, double absolute) {
        return new DccnnSettings(base, fraction, absolute, balance, tolerance, checkEvery, rankTolerance, recoveryIterations, powerIterations, featureCacheBytes, centre, restart, fista, workingSet, maxDirections, filterOutputsBytes, spillDir);
    }

    public DccnnSettings withTolerance(double tol, int every) {
        return new DccnnSettings(base, lambdaFraction, lambda, balance, tol, every, rankTolerance, recoveryIterations, powerIterations, featureCacheBytes, centre, restart, fista, workingSet, maxDirections, filterOutputsBytes, spillDir);
    }

    public DccnnSettings withBalance(double b) {
        return new DccnnSettings(base, lambdaFraction, lambda, b, tolerance, checkEvery, rankTolerance, recoveryIterations, powerIterations, featureCacheBytes, centre, restart, fista, workingSet, maxDirections, filterOutputsBytes, spillDir);
    }

    public DccnnSettings withRecovery(double rankTol, int iterations) {
        return new DccnnSettings(base, lambdaFraction, lambda, balance, tolerance, checkEvery, rankTol, iterations, powerIterations, featureCacheBytes, centre, restart, fista, workingSet, maxDirections, filterOutputsBytes, spillDir);
    }

    public DccnnSettings withFeatureCache(long bytes) {
        return new DccnnSettings(base, lambdaFraction, lambda, balance, tolerance, checkEvery, rankTolerance, recoveryIterations, powerIterations, bytes, centre, restart, fista, workingSet, maxDirections, filterOutputsBytes, spillDir);
    }

    public DccnnSettings withSolver(boolean centred, boolean restarted, boolean byFista) {
        return new DccnnSettings(base, lambdaFraction, lambda, balance, tolerance, checkEvery, rankTolerance, recoveryIterations, powerIterations, featureCacheBytes, centred, restarted, byFista, false, maxDirections, filterOutputsBytes, spillDir);
    }

    /** The working-set solver (centred, restarts and backtracking in its reduced FISTA). */
    public DccnnSettings withWorkingSet() {
        return new DccnnSettings(base, lambdaFraction, lambda, balance, tolerance, checkEvery, rankTolerance, recoveryIterations, powerIterations, featureCacheBytes, true, true, true, true, maxDirections, filterOutputsBytes, spillDir);
    }

    /** The working set's size at most. */
    public DccnnSettings withMaxDirections(int r) {
        return new DccnnSettings(base, lambdaFraction, lambda, balance, tolerance, checkEvery, rankTolerance, recoveryIterations, powerIterations, featureCacheBytes, centre, restart, fista, workingSet, r, filterOutputsBytes, spillDir);
    }
}
