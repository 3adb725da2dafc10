package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Temporary: the shared loop against a copy of the three old loops, bit for bit. */
class ApgBitIdentityTest {

    private static GatedReluProgram generic(Loss loss) {
        Dataset d = ConvexProgramTest.quadrants(40, 6, 3, 7);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        GatedFeatures f = GatedFeatures.build(d, norm, geom, Gates.sample(geom.patchSize(), 6, 7));
        double lmax = GatedReluProgram.lambdaMax(f, d.labels(), d.classes(), loss);
        return new GatedReluProgram(f, d.labels(), d.classes(), loss, 0.05 * lmax);
    }

    private static GramGatedProgram gram() {
        Dataset d = ConvexProgramTest.quadrants(50, 6, 3, 4);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        GramGatedProgram p = GramGatedProgram.build(d, norm, geom, Gates.sample(geom.patchSize(), 6, 4));
        return p.withLambda(0.05 * p.lambdaMax());
    }

    private static GemmGatedProgram gemm() {
        Dataset d = ConvexProgramTest.quadrants(40, 6, 3, 8);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        GemmGatedProgram g = new GemmGatedProgram(new PatchProducts(d, norm, geom, Gates.sample(geom.patchSize(), 5, 4)),
                d.labels(), 3, Loss.SQUARED, 0);
        return g.withLambda(0.05 * g.lambdaMax());
    }

    private static void same(LegacyRFista.Result a, List<double[]> as, RFista.Result b, List<double[]> bs, String where) {
        assertEquals(a.iterations(), b.iterations(), where);
        assertEquals(a.objective(), b.objective(), 0, where);
        assertEquals(a.certificate(), b.certificate(), 0, where);
        assertEquals(a.step(), b.step(), 0, where);
        assertEquals(a.converged(), b.converged(), where);
        assertEquals(a.stoppedBy(), b.stoppedBy(), where);
        assertEquals(Double.doubleToLongBits(a.gap()), Double.doubleToLongBits(b.gap()), where);
        assertArrayEquals(a.x(), b.x(), 0, where);
        assertEquals(a.log().size(), b.log().size(), where);
        for (int i = 0; i < a.log().size(); i++) {
            assertEquals(a.log().get(i).objective(), b.log().get(i).objective(), 0, where + " it " + i);
            assertEquals(a.log().get(i).certificate(), b.log().get(i).certificate(), 0, where + " it " + i);
            assertEquals(a.log().get(i).step(), b.log().get(i).step(), 0, where + " it " + i);
        }
        assertEquals(as.size(), bs.size(), where);
        for (int i = 0; i < as.size(); i++) assertArrayEquals(as.get(i), bs.get(i), 0, where + " state " + i);
    }

    private static double[] flat(LegacyRFista.State s) {
        List<Double> v = new ArrayList<>();
        for (double[] a : new double[][] {s.x(), s.y(), s.ax(), s.ay(), s.mx(), s.my()}) if (a != null) for (double e : a) v.add(e);
        for (double e : new double[] {s.iteration(), s.step(), s.t(), s.objective(), s.smooth(), s.regularizer(), s.certificate(),
                s.single() ? 1 : 0, s.stallBest(), s.stallBestAt(), s.ax() == null ? 0 : 1, s.mx() == null ? 0 : 1}) v.add(e);
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] flat(RFista.State s) {
        return flat(new LegacyRFista.State(s.iteration(), s.x(), s.ax(), s.y(), s.ay(), s.mx(), s.my(), s.step(), s.t(), s.objective(),
                s.smooth(), s.regularizer(), s.certificate(), s.single(), 0, s.stallBest(), s.stallBestAt()));
    }

    private static LegacyRFista.State legacy(RFista.State s) {
        return new LegacyRFista.State(s.iteration(), s.x(), s.ax(), s.y(), s.ay(), s.mx(), s.my(), s.step(), s.t(), s.objective(),
                s.smooth(), s.regularizer(), s.certificate(), s.single(), 0, s.stallBest(), s.stallBestAt());
    }

    @Test
    void genericLoopIsBitIdentical() throws Exception {
        for (Loss loss : new Loss[] {Loss.CROSS_ENTROPY, Loss.SQUARED}) {
            GatedReluProgram p = generic(loss);
            for (int cap : new int[] {5, 300}) {
                List<double[]> as = new ArrayList<>(), bs = new ArrayList<>();
                List<RFista.State> states = new ArrayList<>();
                LegacyRFista.Result a = LegacyRFista.solve(p, new double[p.dimension()], new LegacyRFista.Settings(1e-10, cap, 10), null, null,
                        st -> as.add(flat(st)));
                RFista.Result b = RFista.solve(p, new double[p.dimension()], new RFista.Settings(1e-10, cap, 10), null, null,
                        st -> { bs.add(flat(st)); states.add(new RFista.State(st.iteration(), st.x().clone(), st.y().clone(), st.t(),
                                st.step(), st.objective(), st.certificate())); });
                same(a, as, b, bs, loss + " generic cap " + cap);
                RFista.State mid = states.get(states.size() / 2);
                as.clear();
                bs.clear();
                a = LegacyRFista.solve(p, mid.x(), new LegacyRFista.Settings(1e-10, cap, 10), null, legacy(mid), st -> as.add(flat(st)));
                b = RFista.solve(p, mid.x(), new RFista.Settings(1e-10, cap, 10), null, mid, st -> bs.add(flat(st)));
                same(a, as, b, bs, loss + " generic resumed, cap " + cap);
            }
        }
    }

    private static void quadratic(QuadraticObjective p, String name) throws Exception {
        for (RFista.Precision precision : RFista.Precision.values()) {
            for (double gapTol : new double[] {0, 1e-6}) {
                for (int cap : new int[] {7, 3000}) {
                    List<double[]> as = new ArrayList<>(), bs = new ArrayList<>();
                    List<RFista.State> states = new ArrayList<>();
                    LegacyRFista.Precision lp = LegacyRFista.Precision.valueOf(precision.name());
                    LegacyRFista.Result a = LegacyRFista.solveQuadratic(p, new double[p.dimension()],
                            new LegacyRFista.Settings(1e-13, cap, 10, gapTol), lp, null, null, st -> as.add(flat(st)));
                    RFista.Result b = RFista.solveQuadratic(p, new double[p.dimension()], new RFista.Settings(1e-13, cap, 10, gapTol),
                            precision, null, null, st -> {
                                bs.add(flat(st));
                                states.add(new RFista.State(st.iteration(), st.x().clone(), st.ax().clone(), st.y().clone(),
                                        st.ay().clone(), st.mx() == null ? null : st.mx().clone(), st.my() == null ? null : st.my().clone(),
                                        st.step(), st.t(), st.objective(), st.smooth(), st.regularizer(), st.certificate(), st.single(),
                                        st.seconds(), st.stallBest(), st.stallBestAt()));
                            });
                    String where = name + " " + precision + " gap " + gapTol + " cap " + cap;
                    same(a, as, b, bs, where);
                    for (int cut : new int[] {1, states.size() / 2, states.size() - 1}) {
                        if (cut < 1 || cut > states.size()) continue;
                        RFista.State at = states.get(cut - 1);
                        as.clear();
                        bs.clear();
                        a = LegacyRFista.solveQuadratic(p, null, new LegacyRFista.Settings(1e-13, cap, 10, gapTol), lp, null, legacy(at),
                                st -> as.add(flat(st)));
                        b = RFista.solveQuadratic(p, null, new RFista.Settings(1e-13, cap, 10, gapTol), precision, null, at,
                                st -> bs.add(flat(st)));
                        same(a, as, b, bs, where + " resumed at " + cut);
                    }
                }
            }
        }
    }

    @Test
    void productLoopIsBitIdentical() throws Exception {
        quadratic(gram(), "gram");
    }

    @Test
    void factoredLoopIsBitIdentical() throws Exception {
        quadratic(gemm(), "gemm");
    }
}
