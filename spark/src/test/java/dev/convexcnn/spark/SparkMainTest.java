package dev.convexcnn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkMainTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run spark(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = SparkMain.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void solveWritesTheModelAndSummaryThatTrainWrites() throws Exception {
        Path csv = new SparkSweepTest() {{ dir = SparkMainTest.this.dir; }}.digits(90);
        String[] program = {"--dataset", "digits:" + csv, "--kernel", "3", "--patterns", "8", "--max-iter", "10"};
        TestSpark.stop();   // solve starts its own context: one per JVM
        String[] solve = concat(new String[] {"solve", "--master", "local[2]", "-o", dir.resolve("s.cnn").toString(),
                "--summary-json", dir.resolve("s.json").toString()}, program);
        Run s = spark(solve);
        assertEquals(0, s.code, s.err);
        assertTrue(s.out.contains("certificate") && s.out.contains("iterations             10 in"), s.out);
        // auto on a small problem: the cost model's form, never gram; printed and in the summary.
        assertTrue(s.out.lines().anyMatch(l -> l.matches("products +(gemm|streamed), .*")), s.out);
        // The same program and arithmetic as the distributed solver: the global sum (train's default has windows) at
        // Spark's λ = 0.01·λ_max, double products, R-FISTA from zero on the held Φ (train's Gram form would start from
        // a reweighted ridge point and take another path in 10 iterations).
        Run t = cli(concat(new String[] {"train", "--method", "gated-relu", "--solver-precision", "double", "--pool", "0",
                "--lambda-fraction", "0.01", "--products", "streamed", "-o", dir.resolve("t.cnn").toString(),
                "--summary-json", dir.resolve("t.json").toString()}, program));
        assertEquals(0, t.code, t.err);
        JsonObject a = SparkSweepTest.json(dir.resolve("s.json")), b = SparkSweepTest.json(dir.resolve("t.json"));
        assertEquals(b.get("objective").getAsDouble(), a.get("objective").getAsDouble(), 1e-9 * b.get("objective").getAsDouble());
        assertEquals(b.get("testAccuracy").getAsDouble(), a.get("testAccuracy").getAsDouble(), 1e-12);
        JsonObject sa = a.getAsJsonObject("settings").deepCopy(), sb = b.getAsJsonObject("settings").deepCopy();
        assertEquals("streamed", sb.remove("products").getAsString());
        sa.remove("products");
        assertEquals(sb, sa);
        assertEquals(2, a.getAsJsonObject("spark").get("partitions").getAsInt());
        assertTrue(a.has("productsWhy") && !a.get("products").getAsString().equals("gram"), a.toString());
        Run e = cli("eval", "--model", dir.resolve("s.cnn").toString(), "--dataset", "digits:" + csv);
        assertEquals(0, e.code, e.err);
        assertTrue(e.out.contains(String.format("%.2f %%", 100 * a.get("testAccuracy").getAsDouble())), e.out);
    }

    @Test
    void badInputIsOneLineAndExitTwoBeforeSparkStarts() {
        Run r = spark("solve", "--loss", "hinge");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("hinge") && r.err.strip().lines().count() == 1, r.err);
        r = spark("sweep", "--out", dir.toString(), "--grid", "lr");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--grid 'lr'"), r.err);
        r = spark("sweep", "--out", dir.toString(), "--set", "method=telepathy");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("telepathy") && r.err.contains("ccnn"), r.err);
        r = spark("solve", "--partitions", "x");
        assertEquals(2, r.code);
        r = spark("solve", "--checkpoint-every", "0");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--checkpoint-every") && r.err.strip().lines().count() == 1, r.err);
        r = spark("solve", "--checkpoint", dir.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("is a folder") && r.err.strip().lines().count() == 1, r.err);
        r = spark("solve", "--dataset", "digits:x.csv", "--data-dir", "hdfs://nn/data");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("named datasets") && r.err.strip().lines().count() == 1, r.err);
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
