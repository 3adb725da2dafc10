package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {
    @TempDir Path dir;

    /** Records with the given labels; record r has R = r+1, G = r+2, B = r+3 everywhere except one pixel. */
    static byte[] batch(int... labels) {
        int rb = Cifar10Reader.RECORD_BYTES;
        byte[] b = new byte[labels.length * rb];
        for (int r = 0; r < labels.length; r++) {
            int off = r * rb;
            b[off] = (byte) labels[r];
            Arrays.fill(b, off + 1, off + 1 + 1024, (byte) (r + 1));
            Arrays.fill(b, off + 1 + 1024, off + 1 + 2048, (byte) (r + 2));
            Arrays.fill(b, off + 1 + 2048, off + rb, (byte) (r + 3));
            // Pixel (row 1, column 2): R = 10, G = 20, B = 255.
            int p = 32 + 2;
            b[off + 1 + p] = 10;
            b[off + 1 + 1024 + p] = 20;
            b[off + 1 + 2048 + p] = (byte) 255;
        }
        return b;
    }

    @Test
    void convertsPlanarToChannelsLast() throws Exception {
        Path a = TestData.write(dir.resolve("a.bin"), batch(3, 9));
        Path b = TestData.write(dir.resolve("b.bin"), batch(0));
        Dataset d = Cifar10Reader.read(List.of(a, b), "cifar");
        assertEquals(3, d.size());
        assertEquals(32, d.height());
        assertEquals(32, d.width());
        assertEquals(3, d.channels());
        assertEquals(10, d.classes());
        assertArrayEquals(new int[] {3, 9, 0}, d.labels());
        float[] px = d.pixels();
        int f = d.features();
        int known = (1 * 32 + 2) * 3;
        assertEquals(10 / 255f, px[known]);
        assertEquals(20 / 255f, px[known + 1]);
        assertEquals(1f, px[known + 2]);
        // Any other pixel of sample 1 (second record of a.bin) is (2, 3, 4)/255.
        int other = f + (5 * 32 + 7) * 3;
        assertEquals(2 / 255f, px[other]);
        assertEquals(3 / 255f, px[other + 1]);
        assertEquals(4 / 255f, px[other + 2]);
        // Sample 2 comes from b.bin's first record.
        assertEquals(1 / 255f, px[2 * f]);
    }

    @Test
    void sizeNotMultipleOfRecordIsTruncated() throws Exception {
        byte[] b = batch(1, 2);
        Path f = TestData.write(dir.resolve("data_batch_1.bin"), Arrays.copyOf(b, b.length - 100));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Reader.read(List.of(f), "c"));
        assertTrue(e.getMessage().contains("data_batch_1.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("3073"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void labelAboveNine() throws Exception {
        Path f = TestData.write(dir.resolve("bad.bin"), batch(1, 10));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Reader.read(List.of(f), "c"));
        assertTrue(e.getMessage().contains("bad.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("record 1"), e.getMessage());
        assertTrue(e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void missingAndEmptyFiles() throws Exception {
        Path missing = dir.resolve("nope.bin");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Cifar10Reader.read(List.of(missing), "c"));
        assertTrue(e.getMessage().contains("nope.bin") && e.getMessage().contains("not found"), e.getMessage());
        Path empty = TestData.write(dir.resolve("empty.bin"), new byte[0]);
        e = assertThrows(DataFormatException.class, () -> Cifar10Reader.read(List.of(empty), "c"));
        assertTrue(e.getMessage().contains("empty.bin"), e.getMessage());
    }

    @Test
    void trainAndTestFileLists() throws Exception {
        for (int i = 1; i <= 5; i++) TestData.write(dir.resolve("data_batch_" + i + ".bin"), batch(i));
        TestData.write(dir.resolve("test_batch.bin"), batch(7));
        List<Path> train = Cifar10Reader.trainFiles(dir);
        assertEquals(5, train.size());
        assertEquals("data_batch_1.bin", train.get(0).getFileName().toString());
        assertEquals("data_batch_5.bin", train.get(4).getFileName().toString());
        assertEquals(List.of(dir.resolve("test_batch.bin")), Cifar10Reader.testFiles(dir));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, Cifar10Reader.read(train, "t").labels());
    }

    @Test
    void archiveFolderOneLevelDownIsAccepted() throws Exception {
        Path inner = dir.resolve("cifar-10-batches-bin");
        TestData.write(inner.resolve("test_batch.bin"), batch(7));
        assertEquals(List.of(inner.resolve("test_batch.bin")), Cifar10Reader.testFiles(dir));
    }

    @Test
    void missingBatchFilesAreListed() throws Exception {
        TestData.write(dir.resolve("data_batch_1.bin"), batch(1));
        TestData.write(dir.resolve("data_batch_2.bin"), batch(1));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Reader.trainFiles(dir));
        assertTrue(e.getMessage().contains("data_batch_3.bin, data_batch_4.bin, data_batch_5.bin"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertThrows(DataFormatException.class, () -> Cifar10Reader.testFiles(dir));
        Path nodir = dir.resolve("no-such-folder");
        e = assertThrows(DataFormatException.class, () -> Cifar10Reader.trainFiles(nodir));
        assertTrue(e.getMessage().contains("no-such-folder"), e.getMessage());
        assertTrue(Files.isDirectory(dir));
    }
}
