package dev.convexcnn.convex;

import dev.convexcnn.linalg.GemmProbe;
import java.util.Locale;

/**
 * How the gated program's products are computed, and a cost model that picks one:
 * <ul>
 * <li>gram: on ΦᵀΦ (g × g, g = p·h), summed once by dsyrk; an iteration is a g × g by g × 2c product
 *     ({@link GramGatedProgram}). Squared loss, g ≤ {@link GramGatedProgram#MAX_COLUMNS}.
 * <li>gemm: GEMMs over the patches, Z_b (n_b·P × h) by the weights (h × p·c), masks and sums
 *     ({@link GemmGatedProgram}); Φ never formed.
 * <li>streamed: Φ (n × g doubles) held and read a block of rows at a time ({@link GatedReluProgram}).
 * </ul>
 * The model prices each form's build and {@link #ASSUMED_ITERATIONS} iterations from flop and byte counts at the
 * sgemm, dgemm and memory rates measured in this run ({@link GemmProbe}). It is coarse (the iteration count is
 * unknown before the solve, and the fraction of nonzero groups too); it has to tell apart forms whose costs
 * differ by large factors, which they do.
 */
public enum ProductForm {
    GRAM, GEMM, STREAMED;

    /** Iterations the model prices (R-FISTA on these programs takes hundreds). */
    static final int ASSUMED_ITERATIONS = 300;
    /** Fraction of the sgemm/dgemm rate the model expects of the blocked products (measured 50-80 %). */
    static final double GEMM_EFFICIENCY = 0.6;
    /** Fraction of the (trial-step) products with Φ that the model expects nonzero groups to take. */
    static final double ACTIVE_FRACTION = 0.5;
    /** Memory (bytes) a held form may take: Φ or ΦᵀΦ. */
    static final double MEMORY_SHARE = 0.5;

    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** gram, gemm or streamed; the error names the flag. */
    public static ProductForm parse(String s) {
        for (ProductForm f : values()) if (f.id().equals(s.trim().toLowerCase(Locale.ROOT))) return f;
        throw new IllegalArgumentException("--products must be gram, gemm or streamed, got '" + s + "'");
    }

    /** A form with the reason it was taken, and each form's estimate (NaN where refused). */
    public record Choice(ProductForm form, String why, double gramSeconds, double gemmSeconds, double streamedSeconds) {}

    /**
     * The form for a program of n samples with P patches of h values, p patterns and c outputs; requested (or
     * null for the model's choice). The exact program's loss takes the Gram or the streamed form (GEMM is refused:
     * its constraints hold the patches anyway).
     */
    public static Choice choose(ProductForm requested, long n, int P, int h, int p, int c, Loss loss, boolean exact,
                                boolean mixed) {
        return choose(requested, n, P, h, p, c, loss, exact, mixed, false);
    }

    /** The same for gates that may be windowed ({@link Gates#windowed}): the GEMM form sums over all positions only. */
    public static Choice choose(ProductForm requested, long n, int P, int h, int p, int c, Loss loss, boolean exact,
                                boolean mixed, boolean windowed) {
        double sgemm = GemmProbe.sgemm(), dgemm = GemmProbe.dgemm(), bw = GemmProbe.streamGBps() * 1e9;
        double gemmRate = (mixed ? sgemm : dgemm) * GEMM_EFFICIENCY * 1e9, dRate = dgemm * GEMM_EFFICIENCY * 1e9;
        long g = (long) p * h;
        double memory = Runtime.getRuntime().maxMemory() * MEMORY_SHARE;
        int k = ASSUMED_ITERATIONS;
        boolean squared = loss == Loss.SQUARED;
        // Masks (and, for the held forms, Φ's rows): the same double products in every form.
        double maskBuild = 2.0 * n * P * h * p / dRate;

        String gramRefused = !squared ? "not the squared loss" : g > GramGatedProgram.MAX_COLUMNS
                ? String.format(Locale.ROOT, "%,d columns > %,d", g, GramGatedProgram.MAX_COLUMNS)
                : 12.0 * g * g > memory ? String.format(Locale.ROOT, "ΦᵀΦ %,d MiB", (12L * g * g) >> 20) : null;
        double gram = Double.NaN;
        if (gramRefused == null) {
            double build = maskBuild + 2.0 * n * P * h * p / dRate + (double) n * g * g / dRate;
            // The quadratic solver: one float product per iteration; the exact program's loss: about three double
            // evaluations per iteration, each a pass over G.
            double perIteration = exact ? 3 * Math.max(2.0 * g * g * c / dRate, 8.0 * g * g / bw)
                    : Math.max(4.0 * g * g * c / (sgemm * 1e9), 4.0 * g * g / bw);
            gram = build + k * perIteration;
        }

        String gemmRefused = exact ? "the exact program holds Φ" : windowed ? "windowed gates (--pool): its products sum over all positions" : null;
        double gemm = Double.NaN;
        if (gemmRefused == null) {
            double unit = 2.0 * n * P * h * p * c;
            // Squared loss: one Φᵀ product and about 1.3 trial products with Φ on the nonzero groups per iteration;
            // other losses: about three double evaluations of both.
            double perIteration = squared ? unit * (1 + 1.3 * ACTIVE_FRACTION) / gemmRate : 6 * unit / dRate;
            gemm = maskBuild + unit / dRate + k * perIteration;
        }

        double phiBytes = 8.0 * n * g;
        String streamedRefused = n * g > Integer.MAX_VALUE - 8 || phiBytes > memory
                ? String.format(Locale.ROOT, "Φ %,d MiB", (long) phiBytes >> 20) : null;
        double streamed = Double.NaN;
        if (streamedRefused == null) {
            double build = maskBuild + 2.0 * n * P * h * p / dRate;
            // About three evaluations per iteration, each two passes over Φ (memory-bound unless c is large).
            double perIteration = 3 * Math.max(2 * phiBytes / bw, 4.0 * n * g * c / dRate);
            streamed = build + k * perIteration;
        }

        String estimates = String.format(Locale.ROOT, "estimates for %d iterations at sgemm %.0f, dgemm %.0f GFLOP/s, %.0f GB/s: "
                        + "gram %s, gemm %s, streamed %s", k, sgemm, dgemm, bw / 1e9, cost(gram, gramRefused), cost(gemm, gemmRefused),
                cost(streamed, streamedRefused));
        ProductForm form;
        String why;
        if (requested != null) {
            String refused = requested == GRAM ? gramRefused : requested == GEMM ? gemmRefused : streamedRefused;
            if (refused != null && !(requested == STREAMED && exact)) {
                throw new IllegalArgumentException("--products " + requested.id() + " is not possible here: " + refused);
            }
            form = requested;
            why = "asked for by --products; " + estimates;
        } else {
            if (exact) {
                // Its loss by the Gram form or the held Φ (its constraints need the patches anyway).
                form = !Double.isNaN(gram) && (Double.isNaN(streamed) || gram < streamed) ? GRAM : STREAMED;
            } else {
                form = GEMM;
                double best = gemm;
                if (!Double.isNaN(gram) && (Double.isNaN(best) || gram < best)) { form = GRAM; best = gram; }
                if (!Double.isNaN(streamed) && (Double.isNaN(best) || streamed < best)) form = STREAMED;
                if (Double.isNaN(gemm) && Double.isNaN(gram) && Double.isNaN(streamed)) form = GEMM;
            }
            why = "cheapest by the cost model; " + estimates;
        }
        return new Choice(form, why, gram, gemm, streamed);
    }

    private static String cost(double seconds, String refused) {
        return refused != null ? "refused (" + refused + ")" : String.format(Locale.ROOT, "%.3g s", seconds);
    }
}
