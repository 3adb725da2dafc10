package dev.convexcnn.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the binary version of CIFAR-10 ({@code cifar-10-batches-bin}): every record is 3,073 bytes, one
 * label byte 0–9 followed by 1,024 red, 1,024 green and 1,024 blue bytes of a row-major 32×32 image. The
 * planes are interleaved into channels-last 32×32×3 floats in [0, 1].
 */
public final class Cifar10Reader {
    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    public static final int CLASSES = 10;
    public static final int PLANE = SIDE * SIDE;
    public static final int RECORD_BYTES = 1 + CHANNELS * PLANE;

    private static final List<String> TRAIN = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin");
    private static final List<String> TEST = List.of("test_batch.bin");
    /** Folder name inside the official archive; accepted one level down for convenience. */
    private static final String ARCHIVE_FOLDER = "cifar-10-batches-bin";
    private static final int CHUNK_RECORDS = 256;

    private Cifar10Reader() {}

    /**
     * Reads the batch files, in the given order, into one dataset.
     *
     * @throws DataFormatException when a file is missing or empty, its size is not a whole number of
     *     3,073-byte records, or a label is above 9
     */
    public static Dataset read(List<Path> batchFiles, String name) throws IOException {
        if (batchFiles.isEmpty()) throw new IllegalArgumentException("no CIFAR-10 batch files given");
        long[] records = new long[batchFiles.size()];
        long total = 0;
        for (int k = 0; k < records.length; k++) {
            Path f = batchFiles.get(k);
            DataFiles.requireFile(f, "CIFAR-10 batch file");
            long size = Files.size(f);
            if (size == 0) throw new DataFormatException(f, "is empty, expected 3073-byte CIFAR-10 records");
            if (size % RECORD_BYTES != 0) {
                throw new DataFormatException(f, "size " + size + " bytes is not a whole number of " + RECORD_BYTES
                        + "-byte CIFAR-10 records (" + size / RECORD_BYTES + " records and " + size % RECORD_BYTES
                        + " bytes left over): truncated, or not the binary version of CIFAR-10");
            }
            records[k] = size / RECORD_BYTES;
            total += records[k];
        }
        int features = CHANNELS * PLANE;
        if (total * features > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(total + " CIFAR-10 images do not fit in one Java array");
        }
        float[] px = new float[(int) total * features];
        int[] labels = new int[(int) total];
        float[] table = DataFiles.BYTE_TO_UNIT;
        byte[] buf = new byte[CHUNK_RECORDS * RECORD_BYTES];
        int sample = 0;
        for (int k = 0; k < records.length; k++) {
            Path f = batchFiles.get(k);
            try (InputStream in = Files.newInputStream(f)) {
                for (long done = 0; done < records[k]; ) {
                    int chunk = (int) Math.min(CHUNK_RECORDS, records[k] - done);
                    int want = chunk * RECORD_BYTES;
                    if (in.readNBytes(buf, 0, want) != want) {
                        throw new DataFormatException(f, "truncated while reading (did the file change?)");
                    }
                    for (int r = 0; r < chunk; r++, sample++) {
                        int off = r * RECORD_BYTES;
                        int label = buf[off] & 0xff;
                        if (label >= CLASSES) {
                            long rec = done + r;
                            throw new DataFormatException(f, "record " + rec + " (byte offset " + rec * RECORD_BYTES
                                    + ") has label " + label + ", CIFAR-10 labels are 0..9 (CIFAR-100 files, with"
                                    + " two label bytes, are not supported)");
                        }
                        labels[sample] = label;
                        int base = sample * features;
                        int red = off + 1;
                        int green = red + PLANE;
                        int blue = green + PLANE;
                        // Planar RGB → interleaved: pixel p's channels become adjacent.
                        for (int p = 0; p < PLANE; p++) {
                            int o = base + p * CHANNELS;
                            px[o] = table[buf[red + p] & 0xff];
                            px[o + 1] = table[buf[green + p] & 0xff];
                            px[o + 2] = table[buf[blue + p] & 0xff];
                        }
                    }
                    done += chunk;
                }
            }
        }
        return new Dataset(name, SIDE, SIDE, CHANNELS, CLASSES, px, labels);
    }

    /** {@code data_batch_1.bin} … {@code data_batch_5.bin} in {@code dir} (or in its cifar-10-batches-bin). */
    public static List<Path> trainFiles(Path dir) throws DataFormatException {
        return files(dir, TRAIN);
    }

    /** {@code test_batch.bin} in {@code dir} (or in its cifar-10-batches-bin). */
    public static List<Path> testFiles(Path dir) throws DataFormatException {
        return files(dir, TEST);
    }

    private static List<Path> files(Path dir, List<String> names) throws DataFormatException {
        if (!Files.isDirectory(dir)) {
            throw new DataFormatException(dir, "CIFAR-10 folder not found (expected the folder holding"
                    + " data_batch_1.bin … data_batch_5.bin and test_batch.bin)");
        }
        Path nested = dir.resolve(ARCHIVE_FOLDER);
        if (!Files.isRegularFile(dir.resolve(names.get(0))) && Files.isDirectory(nested)) dir = nested;
        List<Path> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) out.add(p); else missing.add(n);
        }
        if (!missing.isEmpty()) {
            throw new DataFormatException(dir, "missing CIFAR-10 batch file" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + " (expected the binary version: data_batch_1.bin …"
                    + " data_batch_5.bin and test_batch.bin)");
        }
        return List.copyOf(out);
    }
}
