package dev.convexcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end: exit codes, error lines, and a train → eval → resume round trip. */
class CliTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** A digits-format CSV (64 values 0..16 then the label) of three easy classes. */
    Path digits(int n) throws IOException {
        Random r = new Random(5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int y = i % 3;
            for (int j = 0; j < 64; j++) {
                int row = j / 8;
                int v = row == 1 + 3 * y - (y == 2 ? 1 : 0) ? 12 + r.nextInt(5) : r.nextInt(3);
                b.append(v).append(',');
            }
            b.append(y).append('\n');
        }
        Path f = dir.resolve("digits.csv");
        Files.writeString(f, b.toString());
        return f;
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : new String[][] {{"--help"}, {"train", "--help"}, {"eval", "--help"}, {"data", "--help"},
                {"data", "fetch", "--help"}, {"data", "list", "--help"}, {"demo", "--help"}, {"compare", "--help"},
                {"report", "--help"}, {"export", "--help"}}) {
            Run r = run(cmd);
            assertEquals(0, r.code, String.join(" ", cmd));
            assertTrue(r.out.contains("Usage:"), r.out);
        }
    }

    @Test
    void badFlagValueIsOneLineAndExitTwo() {
        Run r = run("train", "--epochs", "many");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("'--epochs'") && r.err.contains("many"), r.err);
        assertFalse(r.err.contains("at dev.convexcnn"), "no stack trace: " + r.err);
        Run neg = run("train", "--dataset", "digits:" + dir.resolve("none.csv"), "--epochs", "0");
        assertEquals(2, neg.code);
        assertTrue(neg.err.contains("epochs must be > 0"), neg.err);
    }

    @Test
    void unknownDatasetNamesIt() {
        Run r = run("train", "--dataset", "imagenet", "--data-dir", dir.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("unknown dataset 'imagenet'"), r.err);
        assertFalse(r.err.contains("\tat "), r.err);
    }

    @Test
    void unreadableModelFileNamesIt() throws IOException {
        Path junk = dir.resolve("junk.cnn");
        Files.writeString(junk, "not a model");
        Run r = run("eval", "--model", junk.toString(), "--dataset", "digits:" + digits(30));
        assertEquals(2, r.code);
        assertTrue(r.err.contains("junk.cnn"), r.err);
        Run missing = run("eval", "--model", dir.resolve("missing.cnn").toString());
        assertEquals(2, missing.code);
        assertTrue(missing.err.contains("missing.cnn"), missing.err);
        Run verbose = run("eval", "--verbose", "--model", junk.toString(), "--dataset", "digits:" + digits(30));
        assertTrue(verbose.err.contains("\tat "), "--verbose shows the stack trace");
    }

    @Test
    void trainEvalAndResume() throws IOException {
        Path csv = digits(240);
        Path model = dir.resolve("m.cnn");
        Path summary = dir.resolve("summary.json");
        Run t = run("train", "--dataset", "digits:" + csv, "--arch", "conv4k3-relu-maxpool2-linear10", "--epochs", "2",
                "--batch-size", "16", "--seed", "3", "-o", model.toString(), "--summary-json", summary.toString());
        assertEquals(0, t.code, t.err);
        assertTrue(t.err.startsWith("backend: "), t.err);
        assertEquals(1, t.err.split("backend: ", -1).length - 1, "backend printed once");
        assertTrue(t.out.contains("test accuracy"), t.out);
        assertTrue(Files.exists(model) && Files.exists(Path.of(model + ".ckpt")) && Files.exists(summary));
        Run e = run("eval", "--model", model.toString(), "--dataset", "digits:" + csv);
        assertEquals(0, e.code, e.err);
        assertTrue(e.out.contains("confusion matrix"), e.out);

        // Resuming a finished run with more epochs continues it from the checkpoint.
        Run more = run("train", "--dataset", "digits:" + csv, "--arch", "conv4k3-relu-maxpool2-linear10", "--epochs", "3",
                "--batch-size", "16", "--seed", "3", "-o", model.toString(), "--resume");
        assertEquals(0, more.code, more.err);
        assertTrue(more.err.contains("after epoch 2"), more.err);
        assertTrue(more.err.contains("epoch 3/3"), more.err);
        assertFalse(more.err.contains("epoch 1/3"), more.err);
    }

    @Test
    void convexMethodsPrintTheirCertificateAndSaveAModel() throws IOException {
        Path csv = digits(120);
        Path gated = dir.resolve("gated.cnn");
        Run g = run("train", "--method", "gated-relu", "--dataset", "digits:" + csv, "--kernel", "3", "--patterns", "8",
                "--lambda-fraction", "0.05", "--tol", "1e-8", "-o", gated.toString());
        assertEquals(0, g.code, g.err);
        assertTrue(g.out.contains("certificate") && g.out.contains("reached"), g.out);
        // The default keeps where a feature is: the map cut into 3×3 windows, said where the run is described.
        assertTrue(g.out.contains("(9 windows)") && g.out.contains("our derivation"), g.out);
        Run ge = run("eval", "--model", gated.toString(), "--dataset", "digits:" + csv);
        assertEquals(0, ge.code, ge.err);
        assertTrue(ge.out.contains("gated two-layer CNN") && ge.out.contains("kind gated-relu"), ge.out);
        // The Gram form (n = 120 ≥ 8·10 columns) solved with float products or all in double: both certified, the
        // same optimum; a bad precision names its flag.
        Run[] both = new Run[2];
        String[] precisions = {"mixed", "double"};
        for (int i = 0; i < 2; i++) {
            both[i] = run("train", "--method", "gated-relu", "--dataset", "digits:" + csv, "--kernel", "3", "--patterns", "8",
                    "--lambda-fraction", "0.05", "--tol", "1e-8", "--solver-precision", precisions[i], "--products", "gram", "--pool", "0",
                    "--summary-json", dir.resolve(precisions[i] + ".json").toString(), "-o", dir.resolve(precisions[i] + ".cnn").toString());
            assertEquals(0, both[i].code, both[i].err);
            assertTrue(both[i].out.contains("gram, asked for by --products") && both[i].out.contains("reached"), both[i].out);
            assertTrue(both[i].out.contains(i == 0 ? "float products" : "double products"), both[i].out);
        }
        double mixed = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(dir.resolve("mixed.json")))
                .getAsJsonObject().get("objective").getAsDouble();
        double dbl = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(dir.resolve("double.json")))
                .getAsJsonObject().get("objective").getAsDouble();
        assertEquals(dbl, mixed, 1e-6 * dbl);
        // The GEMM form (Φ never formed): the same optimum, its form, rate and stopping rule printed; a form that is
        // not one names its flag.
        Run gemm = run("train", "--method", "gated-relu", "--dataset", "digits:" + csv, "--kernel", "3", "--patterns", "8",
                "--lambda-fraction", "0.05", "--tol", "1e-8", "--products", "gemm", "--pool", "0", "--summary-json", dir.resolve("gemm.json").toString(),
                "-o", dir.resolve("gemm.cnn").toString());
        assertEquals(0, gemm.code, gemm.err);
        assertTrue(gemm.out.contains("gemm, asked for by --products") && gemm.out.contains("% of sgemm")
                && gemm.out.contains("stopped by") && gemm.out.contains("certificate"), gemm.out);
        com.google.gson.JsonObject gj = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(dir.resolve("gemm.json"))).getAsJsonObject();
        assertEquals(dbl, gj.get("objective").getAsDouble(), 1e-6 * dbl);
        assertEquals("gemm", gj.get("products").getAsString());
        assertTrue(gj.get("gap").getAsDouble() >= 0 && gj.get("converged").getAsBoolean(), gj.toString());
        Run badProducts = run("train", "--method", "gated-relu", "--dataset", "digits:" + csv, "--products", "blas");
        assertEquals(2, badProducts.code);
        assertTrue(badProducts.err.contains("--products") && badProducts.err.contains("blas"), badProducts.err);
        Run windowedGemm = run("train", "--method", "gated-relu", "--dataset", "digits:" + csv, "--kernel", "3", "--products", "gemm");
        assertEquals(2, windowedGemm.code);
        assertTrue(windowedGemm.err.contains("--products gemm") && windowedGemm.err.contains("--pool"), windowedGemm.err);
        Run badGates = run("train", "--method", "gated-relu", "--dataset", "digits:" + csv, "--gates", "uniform");
        assertEquals(2, badGates.code);
        assertTrue(badGates.err.contains("--gates") && badGates.err.contains("uniform"), badGates.err);
        Run badPrecision = run("train", "--method", "gated-relu", "--dataset", "digits:" + csv, "--solver-precision", "half");
        assertEquals(2, badPrecision.code);
        assertTrue(badPrecision.err.contains("--solver-precision") && badPrecision.err.contains("half"), badPrecision.err);

        Path exact = dir.resolve("exact.cnn");
        Run x = run("train", "--method", "convex-relu", "--dataset", "digits:" + csv, "--kernel", "4", "--stride", "4",
                "--patterns", "4", "--lambda-fraction", "0.1", "--tol", "1e-6", "--max-iter", "500", "-o", exact.toString());
        assertEquals(0, x.code, x.err);
        assertTrue(x.out.contains("constraint violation") && x.out.contains("recovered CNN"), x.out);
        Run xe = run("eval", "--model", exact.toString(), "--dataset", "digits:" + csv);
        assertEquals(0, xe.code, xe.err);
        assertTrue(xe.out.contains("relu-avgpool"), "the recovered ReLU CNN is an ordinary model: " + xe.out);
    }

    @Test
    void circularThreeLayerAndPooledProgramsPrintTheirCertificateAndSaveModelsThatEvalReads() throws IOException {
        Path csv = digits(60);
        String[][] runs = {
                {"--method", "convex-circular", "--patterns", "4"},
                {"--method", "convex-3layer", "--kernel", "4", "--stride", "4", "--patterns", "4", "--cells", "4"},
                {"--method", "convex-relu-pool", "--pool", "1", "--kernel", "4", "--stride", "4", "--patterns", "4"}};
        String[] kinds = {"circular conv", "-relu-linear", "relu-avgpool1"};
        for (int a = 0; a < runs.length; a++) {
            Path model = dir.resolve("cnn" + a + ".cnn");
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--dataset", "digits:" + csv,
                    "--lambda-fraction", "0.2", "--tol", "1e-5", "--max-iter", "100", "--max-outer", "2", "-o", model.toString()));
            args.addAll(java.util.List.of(runs[a]));
            Run t = run(args.toArray(new String[0]));
            assertEquals(0, t.code, t.err);
            assertTrue(t.out.contains("certificate") && t.out.contains("constraint violation") && t.out.contains("recovered CNN"), t.out);
            Run e = run("eval", "--model", model.toString(), "--dataset", "digits:" + csv);
            assertEquals(0, e.code, e.err);
            assertTrue(e.out.contains(kinds[a]), e.out);
        }
        Run bad = run("train", "--method", "gated-relu", "--pool", "5", "--kernel", "3", "--dataset", "digits:" + csv);
        assertEquals(2, bad.code);
        assertTrue(bad.err.contains("--pool 5 must divide the 6x6 feature map"), bad.err);
        // The exact program takes --pool too (its windowed form); a window that does not divide the map is refused.
        Run badExact = run("train", "--method", "convex-relu", "--pool", "3", "--dataset", "digits:" + csv);
        assertEquals(2, badExact.code);
        assertTrue(badExact.err.contains("--pool 3 must divide the 2x2 feature map"), badExact.err);
    }

    @Test
    void ccnnAndDccnnPrintTheirCertificatesAndSaveAModelEvalReads() throws IOException {
        Path csv = digits(90);
        Path primal = dir.resolve("p.ccnn");
        Run p = run("train", "--method", "ccnn", "--dataset", "digits:" + csv, "--layers", "1", "--features", "30",
                "--iterations", "40", "--ccnn-lr", "2", "--radius", "5", "--filters", "3", "-o", primal.toString());
        assertEquals(0, p.code, p.err);
        assertTrue(p.out.contains("certificate, layer 1") && p.out.contains("filters") && p.out.contains("parameters"), p.out);
        Run pe = run("eval", "--model", primal.toString(), "--dataset", "digits:" + csv);
        assertEquals(0, pe.code, pe.err);
        assertTrue(pe.out.contains("CCNN, 1 layer(s)"), pe.out);

        Path dual = dir.resolve("d.ccnn");
        Run d = run("train", "--method", "dccnn", "--dataset", "digits:" + csv, "--layers", "1", "--features", "30",
                "--iterations", "400", "--lambda-fraction", "0.1", "--tol", "1e-6", "--approximation", "nystrom",
                "--ccnn-kernel", "inverse-polynomial", "-o", dual.toString(), "--summary-json", dir.resolve("d.json").toString());
        assertEquals(0, d.code, d.err);
        assertTrue(d.out.contains("duality gap, layer 1") && d.out.contains("filters"), d.out);
        // Its relative gap against time, plotted from the summary's trace.
        Path gapPng = dir.resolve("gap.png");
        Run plot = run("report", "--trace", gapPng.toString(), "--tolerance", "1e-6", dir.resolve("d.json").toString());
        assertEquals(0, plot.code, plot.err);
        assertTrue(java.nio.file.Files.size(gapPng) > 1000, "a PNG was written");
        Run noTrace = run("report", "--trace", gapPng.toString(), dual.toString());
        assertEquals(2, noTrace.code, noTrace.err);
        assertTrue(noTrace.err.contains(dual.toString()), noTrace.err);
        Run de = run("eval", "--model", dual.toString(), "--dataset", "digits:" + csv);
        assertEquals(0, de.code, de.err);
        assertTrue(de.out.contains("DCCNN, 1 layer(s)"), de.out);

        // The primal-dual (PDHG) solver of the dual, by name; an unknown name is refused naming the flag.
        Run pd = run("train", "--method", "dccnn", "--dataset", "digits:" + csv, "--layers", "1", "--features", "30",
                "--iterations", "200", "--lambda-fraction", "0.1", "--dual-solver", "centred", "-o", dir.resolve("pd.ccnn").toString());
        assertEquals(0, pd.code, pd.err);
        assertTrue(pd.out.contains("duality gap, layer 1"), pd.out);
        Run badSolver = run("train", "--method", "dccnn", "--dataset", "digits:" + csv, "--layers", "1", "--dual-solver", "newton");
        assertEquals(2, badSolver.code);
        assertTrue(badSolver.err.contains("--dual-solver") && badSolver.err.contains("newton"), badSolver.err);

        Run bad = run("train", "--method", "dccnn", "--dataset", "digits:" + csv, "--layers", "2", "--gamma", "1,2,3");
        assertEquals(2, bad.code);
        assertTrue(bad.err.contains("--gamma") && bad.err.contains("1,2,3"), bad.err);
        Run badKernel = run("train", "--method", "ccnn", "--dataset", "digits:" + csv, "--layers", "1", "--approximation", "fourier",
                "--ccnn-kernel", "inverse-polynomial");
        assertEquals(2, badKernel.code);
        assertTrue(badKernel.err.contains("random Fourier features need the Gaussian kernel"), badKernel.err);
    }

    @Test
    void ccnnValidationHoldsOutTheLastImagesAndLeavesTheTestSetAlone() throws IOException {
        Path csv = digits(90);
        String[] base = {"train", "--method", "ccnn", "--dataset", "digits:" + csv, "--layers", "1", "--features", "30",
                "--iterations", "20", "--ccnn-lr", "2", "--radius", "5", "--filters", "3", "-o", dir.resolve("v.ccnn").toString()};
        Run v = run(concat(base, "--validation", "30", "--limit", "40"));
        assertEquals(0, v.code, v.err);
        assertTrue(v.err.contains("data: 40 for training, 30 for validation"), v.err);
        assertTrue(v.out.contains("validation accuracy") && v.out.contains("not evaluated (--validation)"), v.out);
        assertFalse(v.out.contains("test accuracy"), v.out);
        Run all = run(concat(base, "--validation", "30"));
        assertEquals(0, all.code, all.err);
        assertTrue(all.err.contains("data: 60 for training, 30 for validation"), all.err);

        Run tooMany = run(concat(base, "--validation", "90"));
        assertEquals(2, tooMany.code);
        assertTrue(tooMany.err.contains("--validation") && tooMany.err.contains("90"), tooMany.err);
        Run tooLong = run(concat(base, "--validation", "30", "--limit", "70"));
        assertEquals(2, tooLong.code);
        assertTrue(tooLong.err.contains("--limit 70") && tooLong.err.contains("60 training images"), tooLong.err);
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void redundancyReportsABlockAndRejectsABadShape() {
        Run r = run("redundancy", "--block", "bottleneck:k=32,kr=4", "--input", "14x14x16");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("K/R") && r.out.contains("4.000"), r.out);
        Run bad = run("redundancy", "--block", "bottleneck:k=32,kr=4", "--input", "14by14");
        assertEquals(2, bad.code);
        assertTrue(bad.err.contains("--input"), bad.err);
    }

    @Test
    void factorisedLayersTrainSaveEvalAndReport() throws IOException {
        Path csv = digits(150);
        Path model = dir.resolve("cp.cnn");
        Run t = run("train", "--dataset", "digits:" + csv, "--arch", "conv4k3p1-relu-cpconv8k3p1r2-relu-maxpool2-linear10",
                "--epochs", "1", "--batch-size", "16", "--seed", "3", "-o", model.toString());
        assertEquals(0, t.code, t.err);
        Run e = run("eval", "--model", model.toString(), "--dataset", "digits:" + csv);
        assertEquals(0, e.code, e.err);
        Run r = run("redundancy", "--model", model.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("layer 2: cpconv8k3p1r2") && r.out.contains("K/R") && r.out.contains("4.000"), r.out);
        // A trained dense model compressed at a rank, then evaluated and reported.
        Path dense = dir.resolve("dense.cnn"), small = dir.resolve("small.cnn");
        assertEquals(0, run("train", "--dataset", "digits:" + csv, "--arch", "conv4k3p1-relu-conv8k3p1-relu-maxpool2-linear10",
                "--epochs", "1", "--batch-size", "16", "-o", dense.toString()).code);
        Run c = run("compress", "--model", dense.toString(), "--kind", "tucker2", "--rank", "r=0.5", "--layers", "2",
                "-o", small.toString());
        assertEquals(0, c.code, c.err);
        assertTrue(c.out.contains("layer 2: conv8k3p1 -> tucker2conv8k3p1r") && c.out.contains("relative kernel error"), c.out);
        assertEquals(0, run("eval", "--model", small.toString(), "--dataset", "digits:" + csv).code);
        Run cr = run("redundancy", "--model", small.toString());
        assertTrue(cr.code == 0 && cr.out.contains("layer 2: tucker2conv8k3p1r"), cr.out + cr.err);
        Run notConv = run("compress", "--model", dense.toString(), "--kind", "cp", "--rank", "2", "--layers", "1", "-o", small.toString());
        assertEquals(2, notConv.code);
        assertTrue(notConv.err.contains("--layers 1"), notConv.err);
        Run bad = run("train", "--dataset", "digits:" + csv, "--arch", "conv4k3-cpconv8k3-linear10", "-o", model.toString());
        assertEquals(2, bad.code);
        assertTrue(bad.err.contains("cpconv8k3") && bad.err.contains("rank"), bad.err);
    }

    @Test
    void alternationTrainsThroughTheCli() throws IOException {
        Path csv = digits(200);
        Run a = run("train", "--method", "alternation", "--dataset", "digits:" + csv, "--arch", "conv4k3-relu-linear10",
                "--sweeps", "2", "--cg-iter", "3", "-o", dir.resolve("alt.cnn").toString());
        assertEquals(0, a.code, a.err);
        assertTrue(a.out.contains("passes over the data"), a.out);
    }

    @Test
    void experimentsWritePlotsAndTables() throws IOException {
        Path csv = digits(150);
        Path a = dir.resolve("alt");
        Run ra = run("experiment", "alternation-vs-sgd", "--dataset", "digits:" + csv, "--limit", "150", "--test-limit", "100",
                "--arch", "conv4k3-relu-linear10", "--sweeps", "2", "--cg-iter", "3", "--epochs", "2", "--out", a.toString());
        assertEquals(0, ra.code, ra.err);
        Path c = dir.resolve("cvx");
        Run rc = run("experiment", "convex-vs-sgd", "--dataset", "digits:" + csv, "--limit", "60", "--test-limit", "100",
                "--kernel", "4", "--stride", "4", "--patterns", "4", "--max-iter", "100", "--restarts", "1", "--epochs", "3",
                "--sgd-lr", "0.01,0.001", "--start", "plain,balanced", "--out", c.toString());
        assertEquals(0, rc.code, rc.err);
        assertTrue(rc.out.contains("sgd lr 0.001, balanced start"), rc.out);
        Run badLr = run("experiment", "convex-vs-sgd", "--dataset", "digits:" + csv, "--sgd-lr", "0.01,-3", "--out", c.toString());
        assertEquals(2, badLr.code);
        assertTrue(badLr.err.contains("--sgd-lr") && badLr.err.contains("'-3'"), badLr.err);
        Run badConstraints = run("experiment", "convex-vs-sgd", "--dataset", "digits:" + csv, "--constraints", "most", "--out", c.toString());
        assertEquals(2, badConstraints.code);
        assertTrue(badConstraints.err.contains("--constraints") && badConstraints.err.contains("'most'"), badConstraints.err);
        Path w = dir.resolve("cvx-ws");
        Run rw = run("experiment", "convex-vs-sgd", "--dataset", "digits:" + csv, "--limit", "60", "--test-limit", "100",
                "--kernel", "4", "--stride", "4", "--patterns", "4", "--max-iter", "100", "--restarts", "1", "--epochs", "1",
                "--constraints", "working-set", "--from-best", "--out", w.toString());
        assertEquals(0, rw.code, rw.err);
        assertTrue(Files.readString(w.resolve("results.json")).contains("working-set"), "the settings record the working set");
        assertTrue(rw.out.contains("convex-relu-from-best: from "), rw.out);
        assertTrue(Files.exists(w.resolve("best-baseline.cnn")));
        for (Path png : new Path[] {a.resolve("accuracy-vs-passes.png"), a.resolve("accuracy-vs-seconds.png"),
                a.resolve("loss-vs-passes.png"), c.resolve("objective-vs-time.png")}) {
            byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
            assertEquals((byte) 0x89, head[0], png + " is a PNG");
            assertEquals('P', head[1]);
        }
        Path k = dir.resolve("comp");
        Run rk = run("experiment", "compression", "--dataset", "digits:" + csv, "--limit", "150", "--test-limit", "100",
                "--designs", "dense:k=8;cp:k=8,rank=2;bottleneck:k=8,kr=2", "--epochs", "1", "--seeds", "1,2", "--out", k.toString());
        assertEquals(0, rk.code, rk.err);
        assertTrue(rk.out.contains("`cp:k=8,rank=2`") && rk.out.contains("seeds [1, 2]"), rk.out);
        assertTrue(rk.out.contains("| K/R |") && rk.out.contains("Partial Spearman"), rk.out);
        Files.delete(k.resolve("accuracy-vs-kr.png"));
        assertEquals(0, run("experiment", "compression", "--replot", "--out", k.toString()).code);
        assertTrue(Files.exists(k.resolve("accuracy-vs-kr.png")));
        assertTrue(Files.exists(k.resolve("accuracy-vs-kr.png")) && Files.exists(k.resolve("accuracy-vs-parameters.png")));
        Run rs = run("experiment", "convex-scaling", "--dataset", "digits:" + csv, "--runs", "60:4;120:4", "--kernel-free",
                "--out", dir.resolve("scal").toString());
        assertEquals(2, rs.code, "unknown flag is refused: " + rs.err);
        rs = run("experiment", "convex-scaling", "--dataset", "digits:" + csv, "--runs", "60:4;120:4", "--max-iter", "50",
                "--out", dir.resolve("scal").toString());
        assertEquals(0, rs.code, rs.err);
        String scaling = Files.readString(dir.resolve("scal").resolve("scaling.md"));
        assertTrue(scaling.contains("| 120 |") && scaling.contains("| Gram |") && scaling.contains("| streamed |"), scaling);
        Run bad = run("experiment", "convex-scaling", "--dataset", "digits:" + csv, "--runs", "60x4", "--out", dir.toString());
        assertEquals(2, bad.code);
        assertTrue(bad.err.contains("N:P"), bad.err);
        assertTrue(Files.readString(a.resolve("results.md")).contains("| alternation |"));
        assertTrue(Files.readString(c.resolve("results.md")).contains("| convex-relu |"));
        assertTrue(Files.readString(c.resolve("results.md")).contains("| sgd | 0.001 | balanced |"));
    }
}
