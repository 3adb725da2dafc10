package dev.convexcnn.data;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipException;

/**
 * Reads images from a CSV file, one image a line: the label (a whole number 0, 1, …) and then the pixel values,
 * comma-separated, row-major with channels last (the layout of the popular MNIST CSV files: {@code label,
 * pixel0, …, pixel783}). The image is square: n×n grey for n² values, n×n RGB for 3n² values. Pixels are 0..255
 * (divided by 255) or, when no value in the file is above 1, already in 0..1. A first line whose first field is
 * not a number is a header and is skipped, as are blank lines and lines starting with {@code #}. The file may be
 * gzipped (recognised by its magic bytes).
 */
public final class CsvImageReader {
    /** Labels above this are taken for a mistake (a pixel column read as the label). */
    static final int MAX_CLASSES = 65_536;

    private CsvImageReader() {}

    /**
     * Reads the whole file.
     *
     * @param minClasses the dataset has at least this many classes (labels of another part, e.g. the test file);
     *     otherwise the largest label + 1
     * @throws DataFormatException naming the file and line when a line has a different number of fields than
     *     the first, a value is not a number, a label is not a whole number ≥ 0 or a pixel is out of range; also
     *     when the file is missing, has no samples or its lines make no square image
     */
    public static Dataset read(Path file, String name, int minClasses) throws IOException {
        DataFiles.requireFile(file, "CSV file");
        int fields = -1;
        int[] labels = new int[1024];
        float[] px = null;
        int n = 0;
        int maxLabel = -1;
        float max = 0;
        try (BufferedReader r = reader(file)) {
            int lineNo = 0;
            boolean first = true;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (isSkipped(line)) continue;
                if (first) {
                    first = false;
                    if (isHeader(line)) continue;
                }
                if (fields < 0) {
                    fields = countFields(line);
                    if (fields < 2) {
                        throw new DataFormatException(file, "line " + lineNo + ": expected a label and pixel values,"
                                + " comma-separated; found " + fields + " field");
                    }
                    px = new float[(fields - 1) * labels.length];
                }
                if (n == labels.length) {
                    labels = Arrays.copyOf(labels, n * 2);
                    px = Arrays.copyOf(px, (fields - 1) * n * 2);
                }
                int label = parseLine(file, lineNo, line, fields, px, n * (fields - 1));
                labels[n++] = label;
                maxLabel = Math.max(maxLabel, label);
                for (int j = (n - 1) * (fields - 1), e = n * (fields - 1); j < e; j++) max = Math.max(max, px[j]);
            }
        } catch (EOFException e) {
            throw new DataFormatException(file, "truncated: the gzip stream ends early", e);
        } catch (ZipException e) {
            throw new DataFormatException(file, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
        int classes = Math.max(minClasses, PixelRows.classesFor(maxLabel, file));
        int[] shape = PixelRows.squareShape(fields - 1, file, "");
        int length = n * (fields - 1);
        PixelRows.toUnit(px, length, max, file);
        return new Dataset(name, shape[0], shape[1], shape[2], classes, Arrays.copyOf(px, length),
                Arrays.copyOf(labels, n));
    }

    /** The largest label in the file (only the first field of each line is parsed), or -1 when it has none. */
    public static int maxLabel(Path file) throws IOException {
        DataFiles.requireFile(file, "CSV file");
        int max = -1;
        try (BufferedReader r = reader(file)) {
            int lineNo = 0;
            boolean first = true;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (isSkipped(line)) continue;
                if (first) {
                    first = false;
                    if (isHeader(line)) continue;
                }
                int comma = line.indexOf(',');
                max = Math.max(max, label(file, lineNo, comma < 0 ? line : line.substring(0, comma)));
            }
        } catch (EOFException e) {
            throw new DataFormatException(file, "truncated: the gzip stream ends early", e);
        } catch (ZipException e) {
            throw new DataFormatException(file, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
        return max;
    }

    private static BufferedReader reader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(DataFiles.open(file), StandardCharsets.UTF_8), 1 << 16);
    }

    private static boolean isSkipped(String line) {
        String t = line.strip();
        return t.isEmpty() || t.startsWith("#");
    }

    private static boolean isHeader(String line) {
        int comma = line.indexOf(',');
        String f = (comma < 0 ? line : line.substring(0, comma)).strip();
        if (f.startsWith("\uFEFF")) f = f.substring(1);   // a byte order mark from spreadsheet programs
        try {
            Double.parseDouble(f);
            return false;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static int countFields(String line) {
        int c = 1;
        for (int i = 0; i < line.length(); i++) if (line.charAt(i) == ',') c++;
        return c;
    }

    /** Parses one line into px[off …] and returns its label. */
    private static int parseLine(Path file, int lineNo, String line, int fields, float[] px, int off)
            throws DataFormatException {
        int start = 0;
        int field = 0;
        int label = -1;
        int len = line.length();
        while (true) {
            int end = line.indexOf(',', start);
            if (end < 0) end = len;
            if (field >= fields) {
                throw new DataFormatException(file, "line " + lineNo + ": more than the " + fields
                        + " comma-separated values of the first line");
            }
            if (field == 0) {
                label = label(file, lineNo, line.substring(start, end));
            } else {
                double v = value(line, start, end);
                if (Double.isNaN(v)) {
                    throw new DataFormatException(file, "line " + lineNo + ", field " + (field + 1) + ": '"
                            + line.substring(start, end).strip() + "' is not a number");
                }
                if (v < 0) {
                    throw new DataFormatException(file, "line " + lineNo + ", field " + (field + 1) + ": pixel value "
                            + line.substring(start, end).strip() + " is negative; pixels must be 0..255 or 0..1");
                }
                px[off + field - 1] = (float) v;
            }
            field++;
            if (end == len) break;
            start = end + 1;
        }
        if (field != fields) {
            throw new DataFormatException(file, "line " + lineNo + ": " + field + " comma-separated values, the first"
                    + " line has " + fields + " (a label and " + (fields - 1) + " pixels)");
        }
        return label;
    }

    /** A plain run of digits parsed directly (the common case), anything else by Double.parseDouble; NaN if bad. */
    private static double value(String s, int start, int end) {
        while (start < end && s.charAt(start) == ' ') start++;
        while (end > start && s.charAt(end - 1) == ' ') end--;
        if (start == end) return Double.NaN;
        if (end - start <= 9) {
            int v = 0;
            int i = start;
            for (; i < end; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') break;
                v = v * 10 + (c - '0');
            }
            if (i == end) return v;
        }
        try {
            double v = Double.parseDouble(s.substring(start, end));
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static int label(Path file, int lineNo, String field) throws DataFormatException {
        String t = field.strip();
        double y;
        try {
            y = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            y = Double.NaN;
        }
        if (!(y >= 0 && y == Math.rint(y) && y < MAX_CLASSES)) {
            throw new DataFormatException(file, "line " + lineNo + ", field 1: label '" + t + "' is not a whole number"
                    + " in 0.." + (MAX_CLASSES - 1) + " (each line is the label, then the pixels)");
        }
        return (int) y;
    }
}
