package dev.convexcnn.convex;

import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.SolverCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * The exact ReLU programs' augmented Lagrangian: the method is {@link dev.convexcnn.optim.AugmentedLagrangian} (see
 * there for its steps), each inner solve {@link RFista} on the program's penalised objective
 * ({@link ConstrainedProgram#withMultipliers}); here are its settings, its resumable state (as saved in solver
 * checkpoints) and the calls.
 */
public final class AugmentedLagrangian {
    /** precision: of the inner solves' quadratic products (mixed: float until a double certificate is due). */
    public record Settings(double tolerance, int maxOuter, RFista.Settings inner, double initialRho, RFista.Precision precision) {
        public Settings {
            if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0");
            if (maxOuter <= 0) throw new IllegalArgumentException("outer iterations must be > 0");
            if (!(initialRho > 0)) throw new IllegalArgumentException("rho must be > 0");
            if (precision == null) throw new IllegalArgumentException("precision must be given");
        }

        /** All in double. */
        public Settings(double tolerance, int maxOuter, RFista.Settings inner, double initialRho) {
            this(tolerance, maxOuter, inner, initialRho, RFista.Precision.DOUBLE);
        }

        public static Settings defaults() {
            return new Settings(1e-6, 50, new RFista.Settings(1e-6, 2_000, 10), 1.0);
        }
    }

    private AugmentedLagrangian() {}

    /**
     * The method inside an outer step's inner solve: the outer counters and multipliers that step uses, and the inner
     * solver's state. The arrays are live: copy before keeping.
     */
    public record State(int outer, double[] gamma, double rho, double lastViolation, double innerTolerance, int innerBefore,
                        RFista.State inner) {
        public void save(SolverCheckpoint c, String prefix) {
            c.whole(prefix + "outer", outer).put(prefix + "gamma", gamma).real(prefix + "rho", rho)
                    .real(prefix + "lastViolation", lastViolation).real(prefix + "innerTolerance", innerTolerance)
                    .whole(prefix + "innerBefore", innerBefore);
            inner.save(c, prefix + "inner.");
        }

        /** The state saved under prefix, for a program with d variables and m constraints. */
        public static State load(SolverCheckpoint c, String prefix, int d, int m) throws ModelFormatException {
            return new State((int) c.whole(prefix + "outer", 1, Integer.MAX_VALUE), c.doubles(prefix + "gamma", m), c.real(prefix + "rho"),
                    c.real(prefix + "lastViolation"), c.real(prefix + "innerTolerance"),
                    (int) c.whole(prefix + "innerBefore", 0, Integer.MAX_VALUE),
                    // With the products of a quadratic part where the inner solver kept them (see RFista#solve).
                    RFista.State.load(c, prefix + "inner.", d, c.has(prefix + "inner.ax")));
        }
    }

    /** Called after each inner iteration with the state (to save it); may stop the solve by throwing. */
    @FunctionalInterface
    public interface Boundary {
        void after(State state) throws IOException;
    }

    public static dev.convexcnn.optim.AugmentedLagrangian.Result solve(ConstrainedProgram program, double[] x0, Settings s,
                                                                       Consumer<dev.convexcnn.optim.AugmentedLagrangian.Outer> listener) {
        try {
            return solve(program, x0, s, listener, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no boundary: cannot happen
        }
    }

    /**
     * {@link #solve} from x0 with multipliers gamma and penalty rho already in hand (a related solve's, e.g. before
     * constraints were added): the first inner solve to innerTolerance; iterations and seconds counted from the
     * given ones.
     */
    public static dev.convexcnn.optim.AugmentedLagrangian.Result solveWarm(ConstrainedProgram program, double[] x0, Settings s,
                                                                           Consumer<dev.convexcnn.optim.AugmentedLagrangian.Outer> listener,
                                                                           double[] gamma, double rho, double innerTolerance,
                                                                           int innerBefore, double secondsBefore, Boundary boundary)
            throws IOException {
        return dev.convexcnn.optim.AugmentedLagrangian.solve(program, x0,
                new dev.convexcnn.optim.AugmentedLagrangian.Settings(s.tolerance(), s.maxOuter(), s.inner().tolerance(),
                        s.inner().initialStep(), s.initialRho()),
                inner(program, s), listener,
                new dev.convexcnn.optim.AugmentedLagrangian.State<>(1, gamma, rho, Double.POSITIVE_INFINITY, innerTolerance,
                        innerBefore, null),
                secondsBefore, relay(boundary));
    }

    private static dev.convexcnn.optim.AugmentedLagrangian.Boundary<RFista.State> relay(Boundary boundary) {
        return boundary == null ? null : (st, seconds) -> boundary.after(new State(st.outer(), st.gamma(), st.rho(), st.lastViolation(),
                st.innerTolerance(), st.innerBefore(), st.inner().withSeconds(seconds)));
    }

    /** Each inner solve: RFista on the penalised objective, to the step's tolerance from the warm step. */
    private static dev.convexcnn.optim.AugmentedLagrangian.InnerSolver<RFista.State> inner(ConstrainedProgram program, Settings s) {
        return (gamma, rho, x, tolerance, step, resume, b) -> {
            RFista.Result r = RFista.solve(program.withMultipliers(gamma, rho), x,
                    new RFista.Settings(tolerance, s.inner().maxIterations(), step), s.precision(), null, resume, b == null ? null : b::after);
            return new dev.convexcnn.optim.AugmentedLagrangian.Inner(r.x(), r.certificate(), r.iterations(), r.step());
        };
    }

    /** {@link #solve} continued from {@code start} (null: from x0), with {@code boundary} (may be null). */
    public static dev.convexcnn.optim.AugmentedLagrangian.Result solve(ConstrainedProgram program, double[] x0, Settings s,
                                                                       Consumer<dev.convexcnn.optim.AugmentedLagrangian.Outer> listener,
                                                                       State start, Boundary boundary) throws IOException {
        dev.convexcnn.optim.AugmentedLagrangian.InnerSolver<RFista.State> rfista = inner(program, s);
        // The saved state carries the whole run's seconds, not the inner solve's.
        return dev.convexcnn.optim.AugmentedLagrangian.solve(program,
                x0, new dev.convexcnn.optim.AugmentedLagrangian.Settings(s.tolerance(), s.maxOuter(), s.inner().tolerance(),
                        s.inner().initialStep(), s.initialRho()),
                rfista, listener,
                start == null ? null : new dev.convexcnn.optim.AugmentedLagrangian.State<>(start.outer(), start.gamma(), start.rho(),
                        start.lastViolation(), start.innerTolerance(), start.innerBefore(), start.inner()),
                start != null ? start.inner().seconds() : 0, relay(boundary));
    }
}
