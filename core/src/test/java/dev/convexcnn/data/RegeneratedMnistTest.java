package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.RegeneratedMnist.Split;
import dev.convexcnn.data.RegeneratedMnist.Variant;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegeneratedMnistTest {
    @TempDir Path work;

    /** A 28×28 byte image with a blank border and a non-symmetric blob, like a digit. */
    private static int[] digitLike(long seed) {
        Random r = new Random(seed);
        int[] img = new int[784];
        for (int row = 4; row < 24; row++) {
            for (int col = 6 + row % 3; col < 20; col++) {
                if (r.nextInt(3) > 0) img[row * 28 + col] = 1 + r.nextInt(255);
            }
        }
        return img;
    }

    /** A fake MNIST part: n digit-like images, labels i mod 10. */
    private static Dataset fakeMnist(int n, String name) {
        float[] px = new float[n * 784];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int[] img = digitLike(i);
            for (int p = 0; p < 784; p++) px[i * 784 + p] = DataFiles.BYTE_TO_UNIT[img[p]];
            y[i] = i % 10;
        }
        return new Dataset(name, 28, 28, 1, 10, px, y);
    }

    private static String sha256(int[] bytes) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(bytes.length);
        for (int v : bytes) b.put((byte) v);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    }

    private static int[] bytesOf(Dataset d, int i) {
        int[] out = new int[d.features()];
        for (int p = 0; p < out.length; p++) out[p] = Math.round(d.pixels()[i * d.features() + p] * 255f);
        return out;
    }

    @Test
    void rotationByZeroIsTheIdentity() {
        int[] img = digitLike(7);
        assertArrayEquals(img, RegeneratedMnist.rotate(img, 28, 28, 0.0));
    }

    @Test
    void quarterTurnsArePixelPermutations() {
        int[] img = digitLike(3);
        int[] quarter = RegeneratedMnist.rotate(img, 28, 28, Math.PI / 2);
        int[] half = RegeneratedMnist.rotate(img, 28, 28, Math.PI);
        int[] threeQuarter = RegeneratedMnist.rotate(img, 28, 28, 3 * Math.PI / 2);
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                // Counter-clockwise as displayed: the top-right corner moves to the top-left.
                assertEquals(img[c * 28 + (27 - r)], quarter[r * 28 + c], "π/2 at " + r + "," + c);
                assertEquals(img[(27 - r) * 28 + (27 - c)], half[r * 28 + c], "π at " + r + "," + c);
                assertEquals(img[(27 - c) * 28 + r], threeQuarter[r * 28 + c], "3π/2 at " + r + "," + c);
            }
        }
        int[] four = img;
        for (int k = 0; k < 4; k++) four = RegeneratedMnist.rotate(four, 28, 28, Math.PI / 2);
        assertArrayEquals(img, four);
        // A non-square image too: the centre is ((h-1)/2, (w-1)/2).
        int[] rect = new int[3 * 5];
        Arrays.setAll(rect, i -> i + 1);
        int[] rectHalf = RegeneratedMnist.rotate(rect, 3, 5, Math.PI);
        for (int i = 0; i < rect.length; i++) assertEquals(rect[rect.length - 1 - i], rectHalf[i]);
    }

    @Test
    void bilinearMatchesTheHandComputedBlend() {
        int[] img = new int[4];
        img[0] = 10; img[1] = 20; img[2] = 30; img[3] = 50; // 2×2
        assertEquals(10, RegeneratedMnist.bilinear(img, 2, 2, 0, 0), 0);
        assertEquals((10 + 20 + 30 + 50) / 4.0, RegeneratedMnist.bilinear(img, 2, 2, 0.5, 0.5), 1e-12);
        assertEquals(0.75 * 10 + 0.25 * 20, RegeneratedMnist.bilinear(img, 2, 2, 0, 0.25), 1e-12);
        // Half a pixel outside: half the edge value (zeros outside).
        assertEquals(0.5 * 10, RegeneratedMnist.bilinear(img, 2, 2, -0.5, 0), 1e-12);
        // The centre maps to itself at any angle; a one-pixel image's neighbours get a blend below it.
        int[] dot = new int[9];
        dot[4] = 100;
        int[] turned = RegeneratedMnist.rotate(dot, 3, 3, 0.3);
        assertEquals(100, turned[4]);
        for (int i = 0; i < 9; i++) assertTrue(turned[i] >= 0 && turned[i] <= 100, "value " + turned[i]);
    }

    @Test
    void rotatedValuesStayBytesAndVaryWithTheImage() {
        for (int i = 0; i < 50; i++) {
            int[] t = RegeneratedMnist.transform(Variant.ROTATED, false, i, digitLike(i));
            for (int v : t) assertTrue(v >= 0 && v <= 255, "value " + v);
        }
        int[] img = digitLike(1);
        assertFalse(Arrays.equals(RegeneratedMnist.transform(Variant.ROTATED, false, 0, img),
                RegeneratedMnist.transform(Variant.ROTATED, false, 1, img)), "two indices, two angles");
    }

    @Test
    void backgroundOnlyWhereTheDigitIsOffAndUniform() {
        int[] counts = new int[256];
        long sum = 0, n = 0;
        for (int i = 0; i < 200; i++) {
            int[] img = digitLike(i);
            int[] t = RegeneratedMnist.transform(Variant.RANDOM_BACKGROUND, true, i, img);
            for (int p = 0; p < img.length; p++) {
                assertTrue(t[p] >= 0 && t[p] <= 255);
                if (img[p] > 0) {
                    assertEquals(img[p], t[p], "digit pixel " + p + " of image " + i + " changed");
                } else {
                    counts[t[p]]++;
                    sum += t[p];
                    n++;
                }
            }
        }
        for (int v = 0; v < 256; v++) assertTrue(counts[v] > 0, "background value " + v + " never drawn");
        // Uniform on 0..255: mean 127.5, sd of the mean 73.9/√n.
        assertEquals(127.5, (double) sum / n, 5 * 73.9 / Math.sqrt(n));
    }

    @Test
    void sameRecipeSameImagesAndSeedsDifferPerVariantSplitAndIndex() {
        Dataset source = fakeMnist(12_000, "fake-train");
        for (Variant v : Variant.values()) {
            Dataset a = RegeneratedMnist.build(v, Split.VALIDATION, source);
            Dataset b = RegeneratedMnist.build(v, Split.VALIDATION, source);
            assertArrayEquals(a.pixels(), b.pixels());
            assertEquals(2_000, a.size());
            assertEquals(v.id() + "-validation", a.name());
            assertTrue(a.name().contains("regen"));
            // Labels are MNIST's, from images 10,000..11,999.
            assertArrayEquals(Arrays.copyOfRange(source.labels(), 10_000, 12_000), a.labels());
            Dataset train = RegeneratedMnist.build(v, Split.TRAIN, source);
            assertEquals(10_000, train.size());
            assertArrayEquals(Arrays.copyOf(source.labels(), 10_000), train.labels());
            // Image 10,000 of the validation split is the same whether or not the training split was built.
            assertArrayEquals(RegeneratedMnist.transform(v, false, 10_000, bytesOf(source, 10_000)), bytesOf(a, 0));
        }
        assertNotEquals(RegeneratedMnist.imageSeed(Variant.ROTATED, false, 5),
                RegeneratedMnist.imageSeed(Variant.RANDOM_BACKGROUND, false, 5));
        assertNotEquals(RegeneratedMnist.imageSeed(Variant.ROTATED, false, 5),
                RegeneratedMnist.imageSeed(Variant.ROTATED, true, 5));
        assertNotEquals(RegeneratedMnist.imageSeed(Variant.ROTATED, false, 5),
                RegeneratedMnist.imageSeed(Variant.ROTATED, false, 6));
    }

    /** Golden sums on synthetic images: the recipe (streams, angles, rounding) must not drift. */
    @Test
    void goldenChecksumsOfSyntheticImages() throws Exception {
        String[] got = {sha256(RegeneratedMnist.transform(Variant.ROTATED, false, 0, digitLike(0))),
            sha256(RegeneratedMnist.transform(Variant.ROTATED, true, 9_999, digitLike(9_999))),
            sha256(RegeneratedMnist.transform(Variant.RANDOM_BACKGROUND, false, 0, digitLike(0)))};
        assertArrayEquals(GOLDEN_SYNTHETIC, got, String.join("\n", got));
    }

    static final String[] GOLDEN_SYNTHETIC = {
        "e86189d8877c19dce5d22fe902530eaf67f8606c1c6bb1c0f0201f1b61aec5c7",
        "aa2d249b7366fccb1a330905a2152ecdde35bd4abbbd47ffe44721e1b268b2e9",
        "b2a9ad3d4fd71fd7fc1907c802041df264234cfa9352af90417a3a02b0280efa"};

    /** Golden sums of real regenerated images; runs only where MNIST is already in the default cache. */
    @Test
    void goldenChecksumsOfRealMnist() throws Exception {
        DataCache cache = DataCache.resolve(null);
        Assumptions.assumeTrue(DatasetFetcher.isPresent(KnownDataset.MNIST, cache), "MNIST is not in " + cache.dir());
        Dataset mnistTest = Datasets.load("mnist", false, cache, false, s -> { });
        Dataset rotTrain = Datasets.load("mnist-rot-regen", true, cache, false, s -> { });
        Dataset rotTest = Datasets.load("MNIST_ROT_REGEN", false, cache, false, s -> { });
        Dataset randTest = Datasets.load("mnist-rand-regen", false, cache, false, s -> { });
        assertEquals("mnist-rot-regen-train", rotTrain.name());
        assertEquals(10_000, rotTrain.size());
        assertEquals(10_000, rotTest.size());
        assertArrayEquals(mnistTest.labels(), rotTest.labels());
        assertArrayEquals(mnistTest.labels(), randTest.labels());
        assertArrayEquals(new int[] {5, 0, 4, 1, 9}, Arrays.copyOf(rotTrain.labels(), 5));
        String[] got = {sha256(bytesOf(rotTrain, 0)), sha256(bytesOf(rotTest, 1)), sha256(bytesOf(randTest, 0)),
            sha256(bytesOf(RegeneratedMnist.load(Variant.RANDOM_BACKGROUND, Split.VALIDATION, cache, false, s -> { }), 1_999))};
        assertArrayEquals(GOLDEN_REAL, got, String.join("\n", got));
    }

    static final String[] GOLDEN_REAL = {
        "cada08d9cdbcf011120df0e4685f7d47264ba9f44acf6eaee30394b47a3ef681",
        "8100ae46b58a728a3c37a8493fd29435253aec38943bdfdf82606d29ad323a29",
        "b0b7242b038a34c69e740f7457d8d97b3e315af366db7de7b6cb48a38a95ce43",
        "290a829fbaccfbe8be834e9e50a25b8bc38447329938db5c1602ebc2497b7442"};

    @Test
    void badNamesGiveAClearError() {
        DataCache cache = new DataCache(work);
        IllegalArgumentException original = assertThrows(IllegalArgumentException.class,
                () -> Datasets.load("mnist-rot", true, cache, false, s -> { }));
        assertTrue(original.getMessage().contains("cannot be fetched") && original.getMessage().contains("mnist-rot-regen"),
                original.getMessage());
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> Datasets.load("mnist-rand-regn", true, cache, false, s -> { }));
        assertTrue(typo.getMessage().contains("'mnist-rand-regn'") && typo.getMessage().contains("mnist-rand-regen"),
                typo.getMessage());
        // A variant whose MNIST is missing says which command fetches MNIST.
        DataFormatException missing = assertThrows(DataFormatException.class,
                () -> Datasets.load("mnist-rot-regen", true, cache, false, s -> { }));
        assertTrue(missing.getMessage().contains("convexcnn data fetch mnist"), missing.getMessage());
        // A source too short for the split names the images it needs.
        IllegalArgumentException shortSource = assertThrows(IllegalArgumentException.class,
                () -> RegeneratedMnist.build(Variant.ROTATED, Split.VALIDATION, fakeMnist(11_000, "short")));
        assertTrue(shortSource.getMessage().contains("10000..11999"), shortSource.getMessage());
    }
}
