package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Checks against facts of the real datasets. Each test runs only when the data is already there (in the
 * default cache, or for digits where Debian's python3-sklearn puts it); nothing is downloaded.
 */
class RealDataTest {
    private static final DataCache CACHE = DataCache.resolve(null);

    private static void assumePresent(KnownDataset d) {
        Assumptions.assumeTrue(DatasetFetcher.isPresent(d, CACHE), () -> d.id() + " is not in " + CACHE.dir());
    }

    @Test
    void mnistFacts() throws Exception {
        assumePresent(KnownDataset.MNIST);
        long t0 = System.nanoTime();
        Dataset train = Datasets.load("mnist", true, CACHE, false, s -> { });
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("full MNIST train (60,000 images) loaded in %.3f s%n", seconds);
        Dataset test = Datasets.load("mnist", false, CACHE, false, s -> { });
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals(28, train.height());
        assertEquals(28, train.width());
        assertArrayEquals(new int[] {5, 0, 4, 1, 9}, Arrays.copyOf(train.labels(), 5));
        assertArrayEquals(new int[] {7, 2, 1, 0, 4}, Arrays.copyOf(test.labels(), 5));
        Normalization n = Normalization.fit(train);
        assertEquals(0.1307, n.mean()[0], 1e-4);
        assertEquals(0.3081, n.std()[0], 1e-4);
    }

    @Test
    void fashionMnistFacts() throws Exception {
        assumePresent(KnownDataset.FASHION_MNIST);
        Dataset train = Datasets.load("fashion-mnist", true, CACHE, false, s -> { });
        Dataset test = Datasets.load("fashion-mnist", false, CACHE, false, s -> { });
        int[] six = new int[10];
        Arrays.fill(six, 6000);
        int[] one = new int[10];
        Arrays.fill(one, 1000);
        assertArrayEquals(six, train.classCounts());
        assertArrayEquals(one, test.classCounts());
        assertEquals("fashion-mnist-train", train.name());
    }

    @Test
    void sklearnDigitsFacts() throws Exception {
        Path csv = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz");
        Assumptions.assumeTrue(Files.isRegularFile(csv), "python3-sklearn's digits.csv.gz is not installed");
        Dataset d = DigitsCsvReader.read(csv, "digits");
        assertEquals(1797, d.size());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, Arrays.copyOf(d.labels(), 5));
    }
}
