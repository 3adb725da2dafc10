package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.FileFaults;
import dev.convexcnn.io.FileFaults.Fault;
import dev.convexcnn.io.FileFaults.Kind;
import dev.convexcnn.io.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Damaged gated-ReLU and circular CNN files: refused with a *FormatException naming the file, or read as the same model
 * (bit-identical logits: same process, backend, shapes and threads).
 */
class ModelFilesFuzzTest {
    private static final Path DIR = FileFaults.tempDir("convex-fuzz");
    private static final Dataset DATA;
    private static final byte[] GATED, CIRCULAR;
    private static final double[] GATED_LOGITS, CIRCULAR_LOGITS;

    static {
        try {
            SplittableRandom r = new SplittableRandom(5);
            int n = 12, h = 6, w = 6, classes = 3;
            float[] px = new float[n * h * w];
            int[] y = new int[n];
            for (int i = 0; i < px.length; i++) px[i] = (float) r.nextDouble();
            for (int i = 0; i < n; i++) y[i] = i % classes;
            DATA = new Dataset("noise", h, w, 1, classes, px, y);
            Normalization norm = new Normalization(new float[] {0.4f}, new float[] {0.3f});

            PatchGeometry g = new PatchGeometry(h, w, 1, 3, 1, true);
            int count = 4;
            double[] gates = r.doubles(g.patchSize() * count, -1, 1).toArray();
            double[] weights = r.doubles(count * g.patchSize() * classes, -1, 1).toArray();
            JsonObject prov = new JsonObject();
            prov.addProperty("seed", 5);
            ConvexTrainer.Run run = new ConvexTrainer.Run(ConvexSettings.defaults(), g, norm, new Gates(g.patchSize(), count,
                    toFloats(gates)), 0.1, 1, toFloats(weights), 0, 0, 0, true, 1, 0, List.of(), null, prov);
            Path gp = DIR.resolve("good.gated");
            GatedModelFile.save(gp, run, classes);
            GATED = Files.readAllBytes(gp);
            GATED_LOGITS = gated(gp);

            List<CircularCnn.Unit> units = new ArrayList<>();
            for (int a = 0; a < 5; a++) units.add(new CircularCnn.Unit(toFloats(r.doubles(h * w, -1, 1).toArray()),
                    toFloats(r.doubles(h * w, -1, 1).toArray()), (float) r.nextDouble(), a % classes));
            Path cp = DIR.resolve("good.circ");
            CircularModelFile.save(cp, new CircularCnn(h, w, classes, norm, units), prov);
            CIRCULAR = Files.readAllBytes(cp);
            CIRCULAR_LOGITS = circular(cp);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Values that survive the file's float32 storage unchanged. */
    private static double[] toFloats(double[] d) {
        double[] o = new double[d.length];
        for (int i = 0; i < d.length; i++) o[i] = (float) d[i];
        return o;
    }

    static double[] gated(Path p) throws IOException {
        return GatedModelFile.load(p, TensorFile.read(p)).logits(DATA);
    }

    static double[] circular(Path p) throws IOException {
        return CircularModelFile.load(p, TensorFile.read(p)).logits(DATA);
    }

    @Provide Arbitrary<Fault> byteFaults() { return FileFaults.faults(Kind.TRUNCATE, Kind.FLIP); }

    @Property(tries = 200)
    void everyTruncationOrFlippedByteIsRefused(@ForAll("byteFaults") Fault f, @ForAll boolean circular) throws IOException {
        assertTrue(FileFaults.refusedOrSame(DIR.resolve("damaged.model"), FileFaults.damageBytes(circular ? CIRCULAR : GATED, f),
                circular ? ModelFilesFuzzTest::circular : ModelFilesFuzzTest::gated, circular ? CIRCULAR_LOGITS : GATED_LOGITS,
                Arrays::equals), "unnoticed: " + f);
    }

    /** Which file, and one edit of its header. */
    record Edit(boolean circular, FileFaults.KeyEdit edit) {}

    @Provide Arbitrary<Edit> keyEdits() {
        List<Edit> all = new ArrayList<>();
        for (var e : FileFaults.allKeyEdits(FileFaults.tensorHeader(GATED), List.of("provenance"))) all.add(new Edit(false, e));
        for (var e : FileFaults.allKeyEdits(FileFaults.tensorHeader(CIRCULAR), List.of("provenance"))) all.add(new Edit(true, e));
        return Arbitraries.of(all);
    }

    /** Every key of both headers removed and renamed (checksums recomputed, as another writer would). */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void removedOrRenamedHeaderKeysAreRefusedOrHarmless(@ForAll("keyEdits") Edit e) throws IOException {
        byte[] good = e.circular() ? CIRCULAR : GATED;
        FileFaults.refusedOrSame(DIR.resolve("edited.model"), FileFaults.withTensorHeader(good, e.edit().apply(FileFaults.tensorHeader(good))),
                e.circular() ? ModelFilesFuzzTest::circular : ModelFilesFuzzTest::gated, e.circular() ? CIRCULAR_LOGITS : GATED_LOGITS,
                Arrays::equals);
    }
}
