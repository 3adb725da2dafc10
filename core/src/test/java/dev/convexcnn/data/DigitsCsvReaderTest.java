package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitsCsvReaderTest {
    @TempDir Path dir;

    /** A line whose pixel j is (j + shift) mod 17, then the label. */
    static String line(int shift, String label) {
        StringJoiner j = new StringJoiner(",");
        for (int i = 0; i < 64; i++) j.add(Integer.toString((i + shift) % 17));
        return j + "," + label;
    }

    private Path csv(String name, String text) throws Exception {
        return TestData.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    private Path csv(String text) throws Exception {
        return csv("digits.csv", text);
    }

    @Test
    void readsPlainAndGzip() throws Exception {
        String text = line(0, "3") + "\n" + line(5, "9") + "\n\n";
        Dataset d = DigitsCsvReader.read(csv(text), "digits");
        assertEquals(2, d.size());
        assertEquals(8, d.height());
        assertEquals(8, d.width());
        assertEquals(1, d.channels());
        assertArrayEquals(new int[] {3, 9}, d.labels());
        assertEquals(0f, d.pixels()[0]);
        assertEquals(16 / 16f, d.pixels()[16]);
        assertEquals(5 / 16f, d.pixels()[64]);
        Path gz = TestData.write(dir.resolve("digits-gz"), TestData.gzip(text.getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(d.pixels(), DigitsCsvReader.read(gz, "g").pixels());
    }

    @Test
    void acceptsNumpyFloatNotation() throws Exception {
        String l = line(0, "7").replace(",7", ",7.000000000000000000e+00").replace("16,", "1.600000000000000000e+01,");
        Dataset d = DigitsCsvReader.read(csv(l + "\n"), "d");
        assertArrayEquals(new int[] {7}, d.labels());
        assertEquals(1f, d.pixels()[16]);
    }

    @Test
    void wrongFieldCountGivesLineNumber() throws Exception {
        String text = line(0, "1") + "\n" + line(0, "2") + ",5\n";
        DataFormatException e = assertThrows(DataFormatException.class, () -> DigitsCsvReader.read(csv(text), "d"));
        assertTrue(e.getMessage().contains("digits.csv"), e.getMessage());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("66"), e.getMessage());
    }

    @Test
    void nonNumericValue() throws Exception {
        String text = line(0, "1").replaceFirst("^0,1,", "0,x1,") + "\n";
        DataFormatException e = assertThrows(DataFormatException.class, () -> DigitsCsvReader.read(csv(text), "d"));
        assertTrue(e.getMessage().contains("line 1, field 2"), e.getMessage());
        assertTrue(e.getMessage().contains("'x1'"), e.getMessage());
    }

    @Test
    void pixelOutOfRange() throws Exception {
        String text = line(0, "1") + "\n" + line(0, "1") + "\n" + line(0, "1").replaceFirst("^0,", "17,") + "\n";
        DataFormatException e = assertThrows(DataFormatException.class, () -> DigitsCsvReader.read(csv(text), "d"));
        assertTrue(e.getMessage().contains("line 3, field 1"), e.getMessage());
        assertTrue(e.getMessage().contains("17"), e.getMessage());
        String neg = line(0, "1").replaceFirst("^0,", "-1,") + "\n";
        assertThrows(DataFormatException.class, () -> DigitsCsvReader.read(csv("neg.csv", neg), "d"));
    }

    @Test
    void labelOutOfRangeOrFractional() throws Exception {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DigitsCsvReader.read(csv(line(0, "10") + "\n"), "d"));
        assertTrue(e.getMessage().contains("line 1, field 65"), e.getMessage());
        assertTrue(e.getMessage().contains("label 10"), e.getMessage());
        assertThrows(DataFormatException.class, () -> DigitsCsvReader.read(csv("f.csv", line(0, "2.5") + "\n"), "d"));
    }

    @Test
    void missingAndEmptyFiles() throws Exception {
        Path missing = dir.resolve("absent.csv");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DigitsCsvReader.read(missing, "d"));
        assertTrue(e.getMessage().contains("absent.csv"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> DigitsCsvReader.read(csv("empty.csv", "\n\n"), "d"));
        assertTrue(e.getMessage().contains("no samples"), e.getMessage());
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstValue() throws Exception {
        Dataset d = DigitsCsvReader.read(csv("\uFEFF" + line(0, "3") + "\n"), "digits");
        assertArrayEquals(new int[] {3}, d.labels());
        assertEquals(0f, d.pixels()[0]);
    }

    /** Every damaged byte of a gzipped file whose gzip checks fail is reported as gzip damage, not as a CSV line. */
    @Test
    void damagedGzipIsReportedAsGzipNotAsALine() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int r = 0; r < 20; r++) text.append(line(r, Integer.toString(r % 10))).append('\n');
        byte[] gz = TestData.gzip(text.toString().getBytes(StandardCharsets.UTF_8));
        int checked = 0;
        for (int at = 10; at < gz.length - 8; at++) {
            byte[] bad = gz.clone();
            bad[at] ^= 0x10;
            boolean gzipBroken;
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bad))) {
                in.readAllBytes();
                gzipBroken = false;
            } catch (java.io.IOException e) {
                gzipBroken = true;
            }
            if (!gzipBroken) continue;
            Path p = TestData.write(dir.resolve("bad.csv.gz"), bad);
            DataFormatException e = assertThrows(DataFormatException.class, () -> DigitsCsvReader.read(p, "d"), "byte " + at);
            assertTrue(e.getMessage().contains("gzip"), "byte " + at + ": " + e.getMessage());
            checked++;
        }
        assertTrue(checked > 50, "damaged positions checked: " + checked);
    }
}
