package dev.convexcnn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {
    static RunRecord run(String method, long seed, double acc, double secs, Double cert, Boolean ok) {
        return new RunRecord(method, "d", seed, 10, 4, acc, 0.5, secs, 1L << 30, 123, "a", "loss", cert == null ? null : "gap", cert,
                ok, "native", new JsonObject(), new JsonObject(),
                List.of(new RunRecord.CurvePoint(0.5, 2, Double.NaN), new RunRecord.CurvePoint(1, 1, 0.5)),
                new int[][] {{2, 0}, {1, 1}}, null);
    }

    @Test
    void meanAndSampleStandardDeviationOverSeeds() {
        List<Summary.Row> rows = Summary.of(List.of(run("a", 1, 0.90, 2, null, null), run("a", 2, 0.94, 4, null, null),
                run("b", 1, 0.5, 1, 1e-7, true), run("b", 2, 0.5, 1, 3e-6, false)));
        assertEquals(2, rows.size());
        Summary.Row a = rows.get(0);
        assertEquals(0.92, a.accuracyMean(), 1e-12);
        assertEquals(Math.sqrt(0.0008), a.accuracyStd(), 1e-12); // ((0.02² + 0.02²) / 1)^½
        assertEquals(3, a.secondsMean(), 1e-12);
        assertEquals("—", a.certificate());
        assertEquals("gap ≤ 3.0e-06 (1/2 at tolerance)", rows.get(1).certificate());
        assertTrue(Summary.markdown(rows).contains("| a | 2 | " + String.format(java.util.Locale.ROOT, "%,d", a.trainSamples()) + " | 92.00 ± 2.83 % | 3.0 s | 1,024 MiB | 123 | — | native |"), Summary.markdown(rows));
    }

    @Test
    void runRecordsSurviveJsonIncludingMissingValues() {
        RunRecord r = run("b", 3, 0.75, Double.NaN, 2e-7, null);
        RunRecord back = RunRecord.fromJson(com.google.gson.JsonParser.parseString(r.toJsonText()).getAsJsonObject());
        assertEquals(r.toJsonText(), back.toJsonText());
        assertTrue(Double.isNaN(back.trainSeconds()));
        assertTrue(Double.isNaN(back.curve().get(0).accuracy()));
        assertEquals(null, back.certified());
        assertEquals(2e-7, back.certificate());
    }

    @Test
    void filterImagesMapZeroToGreyAndTheLargestMagnitudeToWhiteOrBlack() {
        RunRecord.Filters f = new RunRecord.Filters(2, 1, 1, 2, new float[] {0, 2, -4, 1});
        BufferedImage img = FilterImage.render(f);
        int scale = 24; // 48 / max(1, 2)
        int gap = 2;
        assertEquals(0x80, img.getRGB(gap, gap) & 0xFF, "0 is mid-grey");
        assertEquals(0xFF, img.getRGB(gap + scale, gap) & 0xFF, "+max is white");
        int second = gap + 2 * scale + gap; // the second tile's x offset
        assertEquals(0x00, img.getRGB(second, gap) & 0xFF, "-max is black");
        assertEquals(Math.round(127.5f + 127.5f * 0.25f), img.getRGB(second + scale, gap) & 0xFF);
    }
}
