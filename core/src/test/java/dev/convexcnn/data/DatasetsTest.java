package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir Path work;

    @Test
    void missingDatasetTellsWhichCommandFetchesIt() {
        DataCache cache = new DataCache(work.resolve("empty-cache"));
        List<String> log = new ArrayList<>();
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Datasets.load("fashion-mnist", true, cache, false, log::add));
        assertTrue(e.getMessage().contains("convexcnn data fetch fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains(cache.dir().resolve("fashion-mnist").toString()), e.getMessage());
        assertTrue(log.isEmpty());
        assertTrue(Files.notExists(cache.dir()), "loading must not create the cache");
    }

    @Test
    void unknownNameListsTheForms() {
        DataCache cache = new DataCache(work);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.load("imagenet", true, cache, false, s -> { }));
        assertTrue(e.getMessage().contains("mnist, fashion-mnist, cifar10:<dir>, digits:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.load("cifar10:", true, cache, false, s -> { }));
    }

    /**
     * A cached MNIST whose marker vouches for small stand-in files, with the stored sums a verification records: a
     * load checks each file it reads against them, so this exercises the whole path without the real data.
     */
    @Test
    void loadsKnownDatasetFromVerifiedFolder() throws Exception {
        DataCache cache = new DataCache(work.resolve("cache"));
        KnownDataset m = KnownDataset.MNIST;
        Path dir = cache.datasetDir(m);
        byte[][] data = {
            TestData.idxImages(3, 28, 28, TestData.ramp(3 * 784)), TestData.idxLabels((byte) 5, (byte) 0, (byte) 4),
            TestData.idxImages(2, 28, 28, TestData.ramp(2 * 784)), TestData.idxLabels((byte) 7, (byte) 2)};
        StringBuilder marker = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            KnownDataset.DataFile f = m.files().get(i);
            TestData.write(dir.resolve(f.name()), data[i]);
            marker.append(f.sha256()).append("  ").append(data[i].length).append("  ").append(f.name()).append('\n');
        }
        for (int i = 0; i < 4; i++) marker.append("# stored-sha256 ").append(TestData.sha256(data[i])).append(' ').append(m.files().get(i).name()).append('\n');
        Files.writeString(dir.resolve(DatasetFetcher.MARKER), marker);
        Dataset train = Datasets.load("mnist", true, cache, false, s -> { });
        assertEquals("mnist-train", train.name());
        assertArrayEquals(new int[] {5, 0, 4}, train.labels());
        assertEquals(10, train.classes());
        Dataset test = Datasets.load("MNIST", false, cache, false, s -> { });
        assertEquals("mnist-test", test.name());
        assertArrayEquals(new int[] {7, 2}, test.labels());
        // A head reads only its samples and is what head() of the whole part is: name, values, identity.
        Datasets.Options o = new Datasets.Options(cache, false, s -> { });
        for (int n : new int[] {0, 1, 2, 3, 7}) {
            Dataset h = Datasets.head("mnist", Datasets.Part.TRAIN, o, n), want = train.head(n);
            assertEquals(want.name(), h.name());
            assertArrayEquals(want.pixels(), h.pixels());
            assertArrayEquals(want.labels(), h.labels());
            assertEquals(want.sha256(), h.sha256());
        }
        Dataset tail = Datasets.load("mnist", Datasets.Part.TRAIN, o, t -> RowSelection.range(t - 1, t));
        assertEquals("mnist-train", tail.name());
        assertArrayEquals(new int[] {4}, tail.labels());
        assertArrayEquals(train.subset(new int[] {2}, "x").pixels(), tail.pixels());
    }

    @Test
    void loadsCifarAndDigitsByPath() throws Exception {
        Path c = work.resolve("cifar");
        for (int i = 1; i <= 5; i++) TestData.write(c.resolve("data_batch_" + i + ".bin"), Cifar10ReaderTest.batch(i, 0));
        TestData.write(c.resolve("test_batch.bin"), Cifar10ReaderTest.batch(9));
        DataCache cache = new DataCache(work.resolve("cache"));
        Dataset train = Datasets.load("cifar10:" + c, true, cache, false, s -> { });
        assertEquals(10, train.size());
        assertEquals("cifar10-train", train.name());
        // Formats without skipping load the part, then keep the head: the same as head() of the whole part.
        Dataset h = Datasets.head("cifar10:" + c, Datasets.Part.TRAIN, new Datasets.Options(cache, false, s -> { }), 3);
        assertEquals(train.head(3).name(), h.name());
        assertArrayEquals(train.head(3).pixels(), h.pixels());
        assertArrayEquals(train.head(3).labels(), h.labels());
        Dataset test = Datasets.load("cifar10:" + c, false, cache, false, s -> { });
        assertArrayEquals(new int[] {9}, test.labels());

        Path csv = TestData.write(work.resolve("digits.csv"),
                (DigitsCsvReaderTest.line(0, "4") + "\n").getBytes(StandardCharsets.UTF_8));
        Dataset d = Datasets.load("digits:" + csv, true, cache, false, s -> { });
        assertArrayEquals(new int[] {4}, d.labels());
        assertEquals(8, Datasets.load("digits:" + csv, false, cache, false, s -> { }).height());
    }
}
