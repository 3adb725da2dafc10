package dev.convexcnn.data;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipException;

/**
 * Reads scikit-learn's 8×8 digits ({@code sklearn/datasets/data/digits.csv.gz}, 1,797 images): one sample a
 * line, 64 comma-separated pixel values 0..16 (row-major 8×8) followed by the label 0..9. Values may be
 * written as integers or in floating-point notation ({@code 5.000000000000000000e+00}). Pixels become
 * value/16. The file may be gzipped (recognised by its magic bytes); blank lines and lines starting with
 * {@code #} are skipped.
 */
public final class DigitsCsvReader {
    public static final int SIDE = 8;
    public static final int PIXELS = SIDE * SIDE;
    public static final int MAX_VALUE = 16;
    public static final int CLASSES = 10;

    private DigitsCsvReader() {}

    /**
     * Reads the whole file.
     *
     * @throws DataFormatException naming the file and line when a line has the wrong number of fields, a value
     *     is not a number, or a pixel or label is out of range; also when the file is missing or has no samples
     */
    public static Dataset read(Path csvOrGz, String name) throws IOException {
        DataFiles.requireFile(csvOrGz, "digits CSV file");
        float[] px = new float[PIXELS * 2048];
        int[] labels = new int[2048];
        int n = 0;
        boolean gz = DataFiles.isGzip(csvOrGz);
        try (InputStream raw = DataFiles.open(csvOrGz);
             BufferedReader r = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8))) {
            int lineNo = 0;
            try {
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                // A byte-order mark (spreadsheet exports) is not part of the first value.
                if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) continue;
                String[] f = t.split(",", -1);
                if (f.length != PIXELS + 1) {
                    throw new DataFormatException(csvOrGz, "line " + lineNo + ": expected " + (PIXELS + 1)
                            + " comma-separated values (" + PIXELS + " pixels and a label), found " + f.length);
                }
                if (n == labels.length) {
                    labels = Arrays.copyOf(labels, n * 2);
                    px = Arrays.copyOf(px, n * 2 * PIXELS);
                }
                int base = n * PIXELS;
                for (int j = 0; j < PIXELS; j++) {
                    double v = number(csvOrGz, lineNo, j, f[j]);
                    if (!(v >= 0 && v <= MAX_VALUE)) {
                        throw new DataFormatException(csvOrGz, "line " + lineNo + ", field " + (j + 1)
                                + ": pixel value " + f[j].strip() + " is outside 0.." + MAX_VALUE);
                    }
                    px[base + j] = (float) (v / MAX_VALUE);
                }
                double y = number(csvOrGz, lineNo, PIXELS, f[PIXELS]);
                if (!(y >= 0 && y < CLASSES && y == Math.rint(y))) {
                    throw new DataFormatException(csvOrGz, "line " + lineNo + ", field " + (PIXELS + 1) + ": label "
                            + f[PIXELS].strip() + " is not a whole number in 0.." + (CLASSES - 1));
                }
                labels[n++] = (int) y;
            }
            } catch (DataFormatException e) {
                // Damaged compressed data can inflate into garbage lines before the gzip checks fail: name the cause.
                if (gz) drain(raw);
                throw e;
            }
        } catch (EOFException e) {
            throw new DataFormatException(csvOrGz, "truncated: the gzip stream ends early", e);
        } catch (ZipException e) {
            throw new DataFormatException(csvOrGz, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
        if (n == 0) throw new DataFormatException(csvOrGz, "contains no samples");
        return new Dataset(name, SIDE, SIDE, 1, CLASSES, Arrays.copyOf(px, n * PIXELS), Arrays.copyOf(labels, n));
    }

    /** Reads a gzip stream to its end, so that its checksum and length are checked. */
    private static void drain(InputStream in) throws IOException {
        byte[] b = new byte[DataFiles.BUFFER];
        while (in.read(b) >= 0) {
            // discard
        }
    }

    private static double number(Path file, int lineNo, int field, String s) throws DataFormatException {
        String t = s.strip();
        try {
            double v = Double.parseDouble(t);
            if (Double.isFinite(v)) return v;
        } catch (NumberFormatException e) {
            // reported below with the position
        }
        throw new DataFormatException(file, "line " + lineNo + ", field " + (field + 1) + ": '" + t
                + "' is not a number");
    }
}
