package dev.convexcnn.convex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Shards of the gated program (rows split, loss scaled for all samples) add up to the whole program. */
class GatedReluShardTest {
    @Test
    void shardsSumToTheWholeProgramForBothLosses() {
        Dataset d = ConvexProgramTest.quadrants(37, 6, 3, 5);
        Normalization norm = Normalization.fit(d);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        Gates gates = Gates.sample(geom.patchSize(), 6, 2);
        GatedFeatures all = GatedFeatures.build(d, norm, geom, gates);
        int[] cuts = {0, 10, 10, 37};   // one empty shard on purpose
        for (Loss loss : Loss.values()) {
            GatedReluProgram whole = new GatedReluProgram(all, d.labels(), 3, loss, 0.1);
            double[] w = new double[whole.dimension()];
            SplittableRandom r = new SplittableRandom(9);
            for (int i = 0; i < w.length; i++) w[i] = 0.3 * r.nextGaussian();
            double[] g = new double[w.length];
            double f = whole.smooth(w, g);
            double fSum = 0;
            double[] gSum = new double[w.length], gPart = new double[w.length];
            for (int s = 0; s + 1 < cuts.length; s++) {
                int from = cuts[s], to = cuts[s + 1];
                Dataset part = d.subset(IntStream.range(from, to).toArray(), "part" + s);
                GatedReluProgram shard = new GatedReluProgram(GatedFeatures.build(part, norm, geom, gates), part.labels(),
                        3, loss, 0.1, d.size());
                gPart[0] = Double.NaN;   // must be overwritten even by an empty shard
                fSum += shard.smooth(w, gPart);
                for (int i = 0; i < w.length; i++) gSum[i] += gPart[i];
            }
            assertEquals(f, fSum, 1e-12 * Math.abs(f));
            assertArrayEquals(g, gSum, 1e-12);
        }
    }

    @Test
    void aShardLargerThanItsTotalIsRejected() {
        Dataset d = ConvexProgramTest.quadrants(8, 6, 3, 5);
        PatchGeometry geom = PatchGeometry.of(d, 3, 1, true);
        GatedFeatures f = GatedFeatures.build(d, Normalization.fit(d), geom, Gates.sample(geom.patchSize(), 4, 1));
        assertThrows(IllegalArgumentException.class, () -> new GatedReluProgram(f, d.labels(), 3, Loss.SQUARED, 0.1, 7));
    }
}
