package dev.convexcnn.compress;

import java.util.Arrays;
import java.util.Locale;

/**
 * The four kernel factorisations of a conv kernel W (F filters × C channels × k × k), with their rank slots,
 * weight counts and rank limits. Weight counts are the kernel's only (a factorised layer keeps the dense
 * layer's F biases).
 * <ul>
 *   <li>CP, rank R: W[f,c,i,j] = Σ_r A[f,r] B[c,r] H[r,i] V[r,j]; R(F + C + 2k) weights.</li>
 *   <li>Tucker-2, ranks (R_out, R_in) on the channel modes: W = G ×_f U_out ×_c U_in, core R_out × R_in × k × k;
 *       F·R_out + C·R_in + R_out·R_in·k² weights.</li>
 *   <li>Tucker, ranks (R1, R2, R3, R4) on (F, C, kH, kW): core R1R2R3R4 plus F·R1 + C·R2 + k·R3 + k·R4.</li>
 *   <li>Tensor train over the modes (C, kH, kW, F), ranks (r1, r2, r3): C·r1 + r1·k·r2 + r2·k·r3 + r3·F.</li>
 * </ul>
 */
public enum Factorisation {
    CP(1), TUCKER2(2), TUCKER(4), TT(3);

    private final int slots;

    Factorisation(int slots) { this.slots = slots; }

    public int slots() { return slots; }

    public String id() { return name().toLowerCase(Locale.ROOT); }

    public static Factorisation parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "cp", "parafac", "candecomp" -> CP;
            case "tucker2", "tucker-2" -> TUCKER2;
            case "tucker" -> TUCKER;
            case "tt", "tensor-train", "tensortrain" -> TT;
            default -> throw new IllegalArgumentException("unknown factorisation '" + s + "': use cp, tucker2, tucker or tt");
        };
    }

    /** Weights of the factorised kernel. */
    public long weights(int f, int c, int k, int[] r) {
        check(r);
        return switch (this) {
            case CP -> (long) r[0] * (f + c + 2L * k);
            case TUCKER2 -> (long) f * r[0] + (long) c * r[1] + (long) r[0] * r[1] * k * k;
            case TUCKER -> (long) r[0] * r[1] * r[2] * r[3] + (long) f * r[0] + (long) c * r[1] + (long) k * (r[2] + r[3]);
            case TT -> (long) c * r[0] + (long) r[0] * k * r[1] + (long) r[1] * k * r[2] + (long) r[2] * f;
        };
    }

    /** The weights that come before the last linear map onto the F outputs (for the complexity measure). */
    public long weightsBeforeOutputMap(int f, int c, int k, int[] r) {
        return weights(f, c, k, r) - (long) f * outputWidth(r);
    }

    /** The width entering the last linear map onto the F outputs: R, R_out, R1 or r3. */
    public int outputWidth(int[] r) {
        check(r);
        return switch (this) {
            case CP, TUCKER2, TUCKER -> r[0];
            case TT -> r[2];
        };
    }

    /**
     * The ranks clamped to what the kernel's shape allows: Tucker ranks to their mode sizes and to the product of
     * the other ranks (so the core is not degenerate), TT ranks to the sizes of the unfoldings. CP ranks are free.
     */
    public int[] clamp(int f, int c, int k, int[] r) {
        check(r);
        int[] q = r.clone();
        switch (this) {
            case CP -> { }
            case TUCKER2 -> {
                q[0] = Math.min(q[0], f);
                q[1] = Math.min(q[1], c);
                q[0] = Math.min(q[0], q[1] * k * k);
                q[1] = Math.min(q[1], q[0] * k * k);
            }
            case TUCKER -> {
                int[] dims = {f, c, k, k};
                for (int i = 0; i < 4; i++) q[i] = Math.min(q[i], dims[i]);
                for (int pass = 0; pass < 4; pass++) {
                    for (int i = 0; i < 4; i++) {
                        long others = 1;
                        for (int j = 0; j < 4; j++) if (j != i) others *= q[j];
                        q[i] = (int) Math.min(q[i], others);
                    }
                }
            }
            case TT -> {
                q[0] = (int) Math.min(q[0], Math.min(c, (long) k * k * f));
                q[1] = (int) Math.min(q[1], Math.min((long) q[0] * k, (long) k * f));
                q[2] = (int) Math.min(q[2], Math.min((long) q[1] * k, f));
            }
        }
        return q;
    }

    /** Expands an explicit spelling to one rank per slot: one number fills every slot. */
    public int[] expand(int[] explicit) {
        if (explicit.length == slots) return explicit.clone();
        if (explicit.length == 1) {
            int[] r = new int[slots];
            Arrays.fill(r, explicit[0]);
            return r;
        }
        throw new IllegalArgumentException(id() + " takes 1 or " + slots + " ranks, got " + explicit.length);
    }

    /**
     * The one-parameter family the fraction spellings search: CP rank t; Tucker-2 (t, t·C/F); Tucker ranks
     * proportional to the mode sizes (t, t·C/F, t·k/F, t·k/F); TT (t, t, t); every slot at least 1, then clamped.
     */
    int[] family(int f, int c, int k, int t) {
        int[] r = switch (this) {
            case CP -> new int[] {t};
            case TUCKER2 -> new int[] {t, scaled(t, c, f)};
            case TUCKER -> new int[] {t, scaled(t, c, f), scaled(t, k, f), scaled(t, k, f)};
            case TT -> new int[] {t, t, t};
        };
        return clamp(f, c, k, r);
    }

    private int familyMax(int f, int c, int k) {
        return switch (this) {
            case CP -> f * c * k * k;
            case TUCKER2, TUCKER -> f;
            case TT -> Math.max(Math.max(c, f), k * k * Math.max(c, f));
        };
    }

    private static int scaled(int t, int dim, int ref) { return (int) Math.max(1, Math.round((double) t * dim / ref)); }

    /** Resolves a rank spelling for an F × C × k × k kernel. */
    public int[] resolve(int f, int c, int k, RankSpec spec) {
        if (spec instanceof RankSpec.Explicit e) return clamp(f, c, k, expand(e.ranks()));
        double fraction;
        if (spec instanceof RankSpec.Fraction fr) fraction = fr.fraction();
        else throw new IllegalArgumentException(id() + " layers take an explicit rank or a parameter fraction, not " + spec);
        double target = fraction * f * c * k * k;
        int[] best = family(f, c, k, 1);
        for (int t = 2, max = familyMax(f, c, k); t <= max; t++) {
            int[] r = family(f, c, k, t);
            long w = weights(f, c, k, r);
            if (w > target) {
                if (this == CP) break;
                continue;
            }
            if (w >= weights(f, c, k, best)) best = r;
        }
        return best;
    }

    private void check(int[] r) {
        if (r.length != slots) throw new IllegalArgumentException(id() + " needs " + slots + " ranks, got " + r.length);
    }
}
