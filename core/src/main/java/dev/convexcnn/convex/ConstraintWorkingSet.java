package dev.convexcnn.convex;

import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.linalg.Gemm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The exact program solved over a working set of its cone constraints (constraint generation). Each pattern's
 * constraints (2D_j − I) Z v ≥ 0 are n·P half-spaces in the h-dimensional patch space, the same for all 2·c groups
 * of the pattern; the cone is a cell of an arrangement of n·P hyperplanes and has few facets, so holding and
 * multiplying by all n·P·2cp values at every iteration is mostly wasted. Per round:
 * <ol>
 *   <li>the augmented Lagrangian on the rows held (per pattern j the signed patches s_j z of its rows, |R_j| × h, so
 *       a product is one small GEMM per pattern), warm from the last round's point, multipliers and ρ;</li>
 *   <li>one pass over every constraint ({@link ExactReluProgram#facets}): the squared violation of all of them, and
 *       for each group the rows outside the set where it first leaves its cone, seen from the pattern's gate filter
 *       (facets of the cone, {@code rowsPerGroup} per group), which join it; one row for each set of equal
 *       patches.</li>
 * </ol>
 * It stops when a round's augmented Lagrangian meets its tolerance and the violation over all distinct constraints is
 * within it too. The certificate is then the full program's with equal constraints once (the same feasible set): the
 * multipliers of the rows outside the set are zero, so the Lagrangian's stationarity is the working-set program's,
 * and feasibility is measured on every distinct constraint.
 */
public final class ConstraintWorkingSet {
    /**
     * Rows that join per group of each pattern after a round: those where the group first leaves its cone, seen
     * from the pattern's gate filter ({@link ExactReluProgram#facets}). Facets, not the most violated rows: on MNIST
     * the most violated rows (256 per pattern, doubling) grew the set towards the whole program while its
     * violation fell only ~2.5× per round.
     */
    public static final int ROWS_PER_GROUP = 4;
    /**
     * The tolerance of the rounds that only find where the constraints bind (stationarity and squared violation on
     * the rows held): the asked one from the round after one that adds no row, or once the violation over all distinct
     * constraints is below it, so the work of solving to 1e-6 is spent once, on the final set.
     */
    public static final double LOOSE_TOLERANCE = 1e-4;

    /** Rounds at most (each ends with a full pass; the first starts from no constraint at all). */
    public static final int MAX_ROUNDS = 500;

    private ConstraintWorkingSet() {}

    /** One round: rows held during it, rows that joined after it, the violation over all distinct constraints at its end. */
    public record Round(int round, long rowsHeld, long rowsAdded, double fullViolation, double stationarity, boolean alConverged,
                        int innerIterations, double seconds) {}

    /**
     * The end: the augmented Lagrangian's result on the last working set, with its violation over every distinct
     * constraint, and that set's rows (per pattern, ascending), to warm a later solve.
     */
    public record Result(double[] x, double objective, double stationarity, double violation, double slackness, boolean converged,
                         int innerIterations, List<Round> rounds, long rowsHeld, long rowsTotal, int[][] rows) {
        /**
         * This end's rows as the start of a solve over other patterns: pattern a of the new program is old pattern
         * {@code old[a]} (its rows kept) or new ({@code old[a] < 0}: no row, as in a fresh solve).
         */
        public Warm warmFor(int[] old) {
            int[][] out = new int[old.length][];
            for (int a = 0; a < old.length; a++) out[a] = old[a] < 0 ? new int[0] : rows[old[a]].clone();
            return new Warm(out);
        }
    }

    /**
     * A solve's start from a related one (e.g. before patterns joined): the rows held per pattern (ascending). Only
     * the rows: the old multipliers and ρ made the solve slower than a cold one (measured on the test instance of
     * {@code ConstraintWorkingSetTest}: 9,131 and 8,585 inner iterations with them, with the multipliers zeroed and
     * the old ρ kept, against 4,770 cold), while rows alone reach the cold optimum in about as many (4,957).
     */
    public record Warm(int[][] rows) {}

    /**
     * Where a run stands inside a round: the round, the rows held (per pattern, ascending), the augmented
     * Lagrangian's state on them, and the rounds before.
     */
    public record Resume(int round, boolean tight, int[][] rows, AugmentedLagrangian.State al, List<Round> rounds) {
        public void save(SolverCheckpoint c, String prefix) {
            int[] counts = new int[rows.length];
            int total = 0;
            for (int j = 0; j < rows.length; j++) total += counts[j] = rows[j].length;
            int[] flat = new int[total];
            int at = 0;
            for (int[] r : rows) {
                System.arraycopy(r, 0, flat, at, r.length);
                at += r.length;
            }
            int k = rounds.size();
            long[] held = new long[k], added = new long[k], inner = new long[k];
            double[] viol = new double[k], stat = new double[k], sec = new double[k];
            boolean[] conv = new boolean[k];
            for (int i = 0; i < k; i++) {
                Round r = rounds.get(i);
                held[i] = r.rowsHeld();
                added[i] = r.rowsAdded();
                inner[i] = r.innerIterations();
                viol[i] = r.fullViolation();
                stat[i] = r.stationarity();
                sec[i] = r.seconds();
                conv[i] = r.alConverged();
            }
            c.whole(prefix + "round", round).whole(prefix + "tight", tight ? 1 : 0).put(prefix + "counts", counts).put(prefix + "rows", flat)
                    .put(prefix + "log.held", held).put(prefix + "log.added", added).put(prefix + "log.inner", inner)
                    .put(prefix + "log.violation", viol).put(prefix + "log.stationarity", stat).put(prefix + "log.seconds", sec)
                    .put(prefix + "log.converged", conv);
            al.save(c, prefix + "al.");
        }

        /** The state saved under prefix for this program (its patterns and n·P rows), checked. */
        public static Resume load(SolverCheckpoint c, String prefix, ExactReluProgram exact) throws ModelFormatException {
            int p = exact.patterns().gates(), n = exact.patterns().rows(), cols = 2 * exact.classes();
            int round = c.integer(prefix + "round", 1, MAX_ROUNDS);
            boolean tight = c.integer(prefix + "tight", 0, 1) == 1;
            int[] counts = c.ints(prefix + "counts", p);
            long total = 0;
            for (int k : counts) {
                if (k < 0) throw new ModelFormatException(c.source() + ": " + prefix + "counts has a negative count");
                total += k;
            }
            int[] flat = c.ints(prefix + "rows", Math.toIntExact(total));
            int[][] rows = new int[p][];
            int at = 0;
            for (int j = 0; j < p; j++) {
                rows[j] = Arrays.copyOfRange(flat, at, at + counts[j]);
                at += counts[j];
                for (int i = 0; i < rows[j].length; i++) {
                    if (rows[j][i] < 0 || rows[j][i] >= n || (i > 0 && rows[j][i] <= rows[j][i - 1])) {
                        throw new ModelFormatException(c.source() + ": " + prefix + "rows of pattern " + j + " are not ascending rows of " + n);
                    }
                }
            }
            int k = round - 1;
            long[] held = c.longs(prefix + "log.held"), added = c.longs(prefix + "log.added"), inner = c.longs(prefix + "log.inner");
            double[] viol = c.doubles(prefix + "log.violation", k), stat = c.doubles(prefix + "log.stationarity", k),
                    sec = c.doubles(prefix + "log.seconds", k);
            boolean[] conv = c.booleans(prefix + "log.converged", k);
            if (held.length != k || added.length != k || inner.length != k) {
                throw new ModelFormatException(c.source() + ": " + prefix + "log has not " + k + " rounds");
            }
            List<Round> log = new ArrayList<>();
            for (int i = 0; i < k; i++) log.add(new Round(i + 1, held[i], added[i], viol[i], stat[i], conv[i], (int) inner[i], sec[i]));
            AugmentedLagrangian.State al = AugmentedLagrangian.State.load(c, prefix + "al.", exact.dimension(), Math.toIntExact(total * cols));
            return new Resume(round, tight, rows, al, log);
        }
    }

    /** Takes the run's state at the augmented Lagrangian's boundaries; atEnd: an inner solve has just stopped. */
    @FunctionalInterface
    public interface Saver {
        void save(Resume state, boolean atEnd) throws IOException;
    }

    /** {@link #solve(ExactReluProgram, double[], AugmentedLagrangian.Settings, int, Consumer, Consumer, Resume, Saver)} from x0, unsaved. */
    public static Result solve(ExactReluProgram exact, double[] x0, AugmentedLagrangian.Settings s, int rowsPerGroup,
                               Consumer<dev.convexcnn.optim.AugmentedLagrangian.Outer> listener, Consumer<Round> onRound) {
        try {
            return solve(exact, x0, s, rowsPerGroup, listener, onRound, null, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no saver: cannot happen
        }
    }

    /**
     * Solves the exact program from x0 (its feasible rows start outside the set: a round adds what the last one
     * violated), or continues from (null: a fresh solve) to the same result. Outer steps go to listener as the
     * augmented Lagrangian reports them (their inner iterations are the step's own), rounds to onRound; both may be
     * null; saver (may be null) gets the state at every boundary of the augmented Lagrangian. A fresh solve may
     * start from {@code warm} (null: no row held): its rows held from the first round (multipliers from zero, ρ from
     * its start), the rows x0 violates joining them before it.
     */
    public static Result solve(ExactReluProgram exact, double[] x0, AugmentedLagrangian.Settings s, int rowsPerGroup,
                               Consumer<dev.convexcnn.optim.AugmentedLagrangian.Outer> listener, Consumer<Round> onRound,
                               Resume from, Saver saver, Warm warm) throws IOException {
        if (from != null && warm != null) throw new IllegalArgumentException("a resumed solve has its own state: no warm start");
        if (rowsPerGroup < 1) throw new IllegalArgumentException("rows per group must be >= 1, got " + rowsPerGroup);
        long t0 = System.nanoTime() - (from == null ? 0 : (long) (from.al().inner().seconds() * 1e9));
        int p = exact.patterns().gates();
        long total = exact.patterns().constrainedPairs();
        Duplicates dup = Duplicates.of(exact.patterns());
        int[][] rows;
        List<Round> log = new ArrayList<>();
        double violation = Double.POSITIVE_INFINITY;
        int firstRound = 1;
        double[] x = x0.clone(), gamma = null;
        double rho = Double.NaN;
        WorkingSetProgram program = null;
        if (from == null) {
            rows = new int[p][0];
            if (warm != null) {
                if (warm.rows().length != p) throw new IllegalArgumentException("the warm start has " + warm.rows().length + " patterns, the program " + p);
                for (int j = 0; j < p; j++) rows[j] = warm.rows()[j].clone();
                // As if a round had ended on them: the first round's multipliers extend these (zero) to its rows.
                program = new WorkingSetProgram(exact, rows);
                gamma = new double[Math.toIntExact(program.constraintCount())];
                rho = s.initialRho() * program.penaltyScale();
            }
            // Rows x0 violates join before the first round (none for a network's point, which is feasible).
            ExactReluProgram.Facets first = exact.facets(x0, dup.rep(), warm == null ? null : held(rows, exact.patterns().rows()), rowsPerGroup);
            join(rows, first.rows());
            violation = first.violation();
        } else {
            rows = new int[p][];
            for (int j = 0; j < p; j++) rows[j] = from.rows()[j].clone();
            log.addAll(from.rounds());
            firstRound = from.round();
            if (!log.isEmpty()) violation = log.get(log.size() - 1).fullViolation();
        }
        boolean tight = from != null && from.tight();
        int inner = 0;
        dev.convexcnn.optim.AugmentedLagrangian.Result r = null;
        for (int round = firstRound; round <= MAX_ROUNDS; round++) {
            WorkingSetProgram next = new WorkingSetProgram(exact, rows);
            double[] g = gamma == null ? null : program.extend(gamma, next);
            program = next;
            final int roundNow = round;
            final boolean tightNow = tight;
            final int[][] held = rows;
            final double innerCap = s.inner().maxIterations();
            AugmentedLagrangian.Boundary boundary = saver == null ? null : st -> saver.save(new Resume(roundNow, tightNow, held, st, List.copyOf(log)),
                    st.inner().certificate() <= st.innerTolerance() || st.inner().iteration() >= innerCap);
            double seconds = (System.nanoTime() - t0) / 1e9;
            // Rounds that only find where the constraints bind stop at a loose tolerance; the last ones at the asked one.
            AugmentedLagrangian.Settings rs = tight || s.tolerance() >= LOOSE_TOLERANCE ? s : new AugmentedLagrangian.Settings(LOOSE_TOLERANCE,
                    s.maxOuter(), new RFista.Settings(LOOSE_TOLERANCE, s.inner().maxIterations(), s.inner().initialStep(), s.inner().gapTolerance()),
                    s.initialRho(), s.precision());
            if (round == firstRound && from != null) {
                r = AugmentedLagrangian.solve(program, x, rs, listener, from.al(), boundary);
            } else if (g == null) {
                r = AugmentedLagrangian.solve(program, x, rs, listener, null, boundary);
            } else {
                // ρ never below the new set's own start (its rows' curvature may be larger than the last set's).
                rho = Math.max(rho, s.initialRho() * program.penaltyScale());
                double tolerance = rs.inner().tolerance();
                r = AugmentedLagrangian.solveWarm(program, x, rs, listener, g, rho,
                        Math.max(tolerance, Math.min(1000 * tolerance, violation)), inner, seconds, boundary);
            }
            x = r.x();
            gamma = r.multipliers();
            rho = r.rho();
            inner = r.innerIterations();
            ExactReluProgram.Facets facets = exact.facets(x, dup.rep(), held(rows, exact.patterns().rows()), rowsPerGroup);
            violation = facets.violation();
            long heldRows = program.rowCount();
            rows = rows.clone();
            long added = join(rows, facets.rows());
            Round rec = new Round(round, heldRows, added, violation, r.stationarity(), r.converged(), inner, (System.nanoTime() - t0) / 1e9);
            log.add(rec);
            if (onRound != null) onRound.accept(rec);
            boolean converged = r.converged() && violation <= s.tolerance();
            boolean done = converged && (tight || s.tolerance() >= LOOSE_TOLERANCE);
            if (done || (added == 0 && tight)) {
                return new Result(x, r.objective(), r.stationarity(), violation, r.slackness(), done, inner, List.copyOf(log), heldRows, total,
                        program.rows());
            }
            // Tight from the round after one that found no new row, or once all constraints are nearly met.
            tight = tight || added == 0 || violation <= LOOSE_TOLERANCE;
        }
        return new Result(x, r.objective(), r.stationarity(), violation, r.slackness(), false, inner, List.copyOf(log),
                program.rowCount(), total, program.rows());
    }

    /** Each pattern's held rows as a set. */
    static java.util.BitSet[] held(int[][] rows, int n) {
        java.util.BitSet[] out = new java.util.BitSet[rows.length];
        for (int j = 0; j < rows.length; j++) {
            out[j] = new java.util.BitSet(n);
            for (int r : rows[j]) out[j].set(r);
        }
        return out;
    }

    /** Adds each pattern's new rows (ascending, none held) to its held ones; returns how many joined. */
    static long join(int[][] rows, int[][] fresh) {
        long added = 0;
        for (int j = 0; j < rows.length; j++) {
            if (fresh[j].length == 0) continue;
            int[] merged = Arrays.copyOf(rows[j], rows[j].length + fresh[j].length);
            System.arraycopy(fresh[j], 0, merged, rows[j].length, fresh[j].length);
            Arrays.sort(merged);
            for (int i = 1; i < merged.length; i++) {
                if (merged[i] == merged[i - 1]) throw new IllegalArgumentException("row " + merged[i] + " of pattern " + j + " is held already");
            }
            rows[j] = merged;
            added += fresh[j].length;
        }
        return added;
    }

    /**
     * Equal patches give equal constraint values for every pattern (the sign is the patch's own), so one row stands
     * for all of them: rep[r] is the first row with r's patch, count[r] how many rows have it (for r = rep[r]). With
     * windowed gates only within a window: a column sees its window's rows alone.
     * MNIST's blank patches are most of the rows. The row is held once with weight 1 and the violation measured
     * over distinct constraints: the feasible set and the optimum are the program's, and a row weighted by its
     * count (√count in the penalty) would put count·zzᵀ into the penalty's curvature, thousands of times a plain
     * row's for the blank patch.
     */
    record Duplicates(int[] rep, int[] count) {
        static Duplicates of(PatchPatterns pp) {
            int rows = pp.rows(), h = pp.patchSize();
            double[] z = pp.patches();
            int[] rep = new int[rows], count = new int[rows];
            java.util.Map<Long, List<Integer>> seen = new java.util.HashMap<>();
            for (int r = 0; r < rows; r++) {
                int window = pp.windowOf(r);
                long hash = window;
                for (int t = 0; t < h; t++) hash = 31 * hash + Double.doubleToLongBits(z[r * h + t]);
                List<Integer> same = seen.computeIfAbsent(hash, x -> new ArrayList<>(1));
                int found = -1;
                for (int q : same) {
                    boolean eq = pp.windowOf(q) == window;
                    for (int t = 0; t < h && eq; t++) eq = Double.doubleToLongBits(z[q * h + t]) == Double.doubleToLongBits(z[r * h + t]);
                    if (eq) { found = q; break; }
                }
                if (found < 0) {
                    same.add(r);
                    found = r;
                }
                rep[r] = found;
                count[found]++;
            }
            return new Duplicates(rep, count);
        }

        long distinct() {
            long k = 0;
            for (int r = 0; r < rep.length; r++) if (rep[r] == r) k++;
            return k;
        }
    }

    /**
     * The exact program with only the given constraint rows per pattern: the same objective and penalty, the
     * constraint values laid out per pattern (rows of pattern j in ascending order, 2·c values each: block b,
     * class k at b·c + k).
     */
    static final class WorkingSetProgram implements ConstrainedProgram {
        private final ExactReluProgram exact;
        private final int[][] rows;
        private final double[][] signed;   // per pattern: |R_j| × h, the rows' patches times their sign
        private final int[] offset;        // per pattern: where its values start
        private final int gates, h, classes, cols;
        private final long count;

        WorkingSetProgram(ExactReluProgram exact, int[][] rows) {
            this.exact = exact;
            PatchPatterns pp = exact.patterns();
            this.gates = pp.gates();
            this.h = pp.patchSize();
            this.classes = exact.classes();
            this.cols = 2 * classes;
            this.rows = new int[gates][];
            this.signed = new double[gates][];
            this.offset = new int[gates + 1];
            double[] z = pp.patches(), s = pp.signs();
            long total = 0;
            for (int j = 0; j < gates; j++) {
                this.rows[j] = rows[j].clone();
                int m = rows[j].length;
                double[] a = new double[m * h];
                for (int i = 0; i < m; i++) {
                    int r = rows[j][i];
                    double sign = s[r * gates + j];
                    for (int t = 0; t < h; t++) a[i * h + t] = sign * z[r * h + t];
                }
                signed[j] = a;
                total += (long) m * cols;
                offset[j + 1] = Math.toIntExact(total);
            }
            this.count = total;
        }

        long rowCount() { return count / cols; }

        /** The rows held per pattern (copies). */
        int[][] rows() {
            int[][] out = new int[rows.length][];
            for (int j = 0; j < rows.length; j++) out[j] = rows[j].clone();
            return out;
        }

        /** This set's multipliers placed in a larger set's layout (the rows that joined start at zero). */
        double[] extend(double[] gamma, WorkingSetProgram larger) {
            double[] out = new double[Math.toIntExact(larger.count)];
            for (int j = 0; j < gates; j++) {
                int[] mine = rows[j], theirs = larger.rows[j];
                for (int i = 0; i < mine.length; i++) {
                    int at = Arrays.binarySearch(theirs, mine[i]);
                    System.arraycopy(gamma, offset[j] + i * cols, out, larger.offset[j] + at * cols, cols);
                }
            }
            return out;
        }

        @Override public int dimension() { return exact.dimension(); }
        @Override public long constraintCount() { return count; }
        @Override public double objective(double[] x) { return exact.objective(x); }
        /**
         * The exact program's scale with the held rows' curvature: 2·L_loss / max_j λ_max(A_jᵀA_j). The penalty of a
         * group of pattern j has curvature ρ·λ_max(A_jᵀA_j) on the rows held, far below the full Z's when few are, so
         * the full program's scale would leave ρ too small and the multipliers slow.
         */
        @Override public synchronized double penaltyScale() {
            if (scale > 0) return scale;
            double top = 0;
            for (int j = 0; j < gates; j++) top = Math.max(top, ExactReluProgram.topEigenvalueOfGram(signed[j], rows[j].length, h));
            double curvature = exact.lossCurvature();
            return scale = top > 0 && curvature > 0 ? curvature / top : exact.penaltyScale();
        }

        private double scale;

        /** V_j (h × 2c) of x = [V; V′]: column b·c + k. */
        private void gather(double[] x, int j, double[] v) {
            int half = gates * h * classes;
            for (int b = 0; b < 2; b++) {
                for (int k = 0; k < classes; k++) {
                    for (int t = 0; t < h; t++) v[t * cols + b * classes + k] = x[b * half + (j * h + t) * classes + k];
                }
            }
        }

        @Override
        public void constraints(double[] x, double[] out) {
            double[] v = new double[h * cols];
            for (int j = 0; j < gates; j++) {
                int m = rows[j].length;
                if (m == 0) continue;
                gather(x, j, v);
                Gemm.dgemm(false, false, m, cols, h, 1, signed[j], 0, h, v, 0, cols, 0, out, offset[j], cols);
            }
        }

        @Override
        public CompositeObjective withMultipliers(double[] gamma, double rho) {
            int half = gates * h * classes;
            int most = 0;
            for (int[] r : rows) most = Math.max(most, r.length);
            double[] hv = new double[most * cols], q = new double[most * cols], v = new double[h * cols], g = new double[h * cols];
            double g2 = 0;
            for (double a : gamma) g2 += a * a;
            final double gammaSquared = g2, invRho = 1 / rho;
            return new PenalisedLoss(exact.gated(), exact.quadraticLoss(), exact.penalty(), (x, grad) -> {
                if (grad != null) Arrays.fill(grad, 0);
                double sum = 0;
                for (int j = 0; j < gates; j++) {
                    int m = rows[j].length;
                    if (m == 0) continue;
                    gather(x, j, v);
                    Gemm.dgemm(false, false, m, cols, h, 1, signed[j], 0, h, v, 0, cols, 0, hv, 0, cols);
                    double part = 0;
                    int off = offset[j];
                    for (int i = 0; i < m * cols; i++) {
                        double mm = Math.max(gamma[off + i] * invRho - hv[i], 0.0);
                        part += mm * mm;
                        q[i] = -rho * mm;
                    }
                    sum += part;
                    if (grad != null && part > 0) {
                        // d/dv of (ρ/2)·m² is −ρ·m·(s z): the signed rows' transpose times q.
                        Gemm.dgemm(true, false, h, cols, m, 1, signed[j], 0, h, q, 0, cols, 0, g, 0, cols);
                        for (int b = 0; b < 2; b++) {
                            for (int k = 0; k < classes; k++) {
                                for (int t = 0; t < h; t++) grad[b * half + (j * h + t) * classes + k] = g[t * cols + b * classes + k];
                            }
                        }
                    }
                }
                return rho / 2 * sum - gammaSquared / (2 * rho);
            });
        }
    }
}
