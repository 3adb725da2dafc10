package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convexcnn.data.KnownDataset.DataFile;
import dev.convexcnn.data.KnownDataset.PackageKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache is re-verified: a same-size change (even one that keeps the file time) is caught on load and by verify. */
class DataCacheVerifyTest {
    @TempDir Path work;
    DataCache cache;
    FetchSpec spec;
    Path dir;
    final List<String> log = new ArrayList<>();

    @BeforeEach
    void install() throws Exception {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        contents.put("train-images", TestData.idxImages(3, 2, 2, TestData.ramp(12)));
        contents.put("train-labels", TestData.idxLabels((byte) 1, (byte) 2, (byte) 0));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        List<DataFile> files = new ArrayList<>();
        for (var e : contents.entrySet()) {
            // Stored gzipped, as Fashion-MNIST is: the stored sum and the content sum differ.
            entries.put("./usr/share/datasets/fake/" + e.getKey() + ".gz", TestData.gzip(e.getValue()));
            files.add(new DataFile(e.getKey() + ".gz", TestData.sha256(e.getValue())));
        }
        Path pkg = TestData.write(work.resolve("fake.deb"), TestData.deb("data.tar", TestData.tar(entries)));
        spec = new FetchSpec("fake", PackageKind.DEBIAN, "fake=1.0", TestData.sha256(pkg), "usr/share/datasets/fake/", files);
        cache = new DataCache(work.resolve("cache"));
        dir = DatasetFetcher.fetchFromPackage(spec, pkg, cache, log::add);
    }

    /** Changes one byte of a stored file, keeping its size and its modification time. */
    private Path sameSizeChange(String name) throws Exception {
        Path f = dir.resolve(name);
        FileTime t = Files.getLastModifiedTime(f);
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x01;
        Files.write(f, b);
        Files.setLastModifiedTime(f, t);
        return f;
    }

    @Test
    void theMarkerRecordsStoredSumsAndWhenItWasVerified() throws Exception {
        String marker = Files.readString(dir.resolve(DatasetFetcher.MARKER), StandardCharsets.UTF_8);
        assertTrue(marker.contains("# stored-sha256 ") && marker.contains("# verified-at "), marker);
        Instant at = DatasetFetcher.verifiedAt(dir).orElseThrow();
        assertTrue(Math.abs(at.toEpochMilli() - System.currentTimeMillis()) < 60_000, at.toString());
        DatasetFetcher.checkOnLoad("fake", dir, spec.files());
    }

    @Test
    void aSameSizeChangeKeepingTheFileTimeIsRefusedOnLoad() throws Exception {
        Path f = sameSizeChange("train-images.gz");
        assertTrue(DatasetFetcher.isComplete(dir, spec), "the old check (marker, sizes) does not see it");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DatasetFetcher.checkOnLoad("fake", dir, spec.files()));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("changed since it was verified")
                && e.getMessage().contains("data fetch fake"), e.getMessage());
        assertFalse(DatasetFetcher.isComplete(dir, spec), "the dataset now counts as missing, so a fetch replaces it");
    }

    @Test
    void verifyNamesTheDamagedFileAndAFetchReplacesIt() throws Exception {
        Instant before = DatasetFetcher.verifiedAt(dir).orElseThrow();
        Thread.sleep(5);
        Instant again = DatasetFetcher.verifyDataset(spec, dir, log::add);
        assertTrue(again.isAfter(before), before + " then " + again);
        Path f = sameSizeChange("train-labels.gz");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DatasetFetcher.verifyDataset(spec, dir, log::add));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertFalse(DatasetFetcher.isComplete(dir, spec));
        // The next fetch gets the files again (here from the same package file).
        Path pkg = work.resolve("fake.deb");
        DatasetFetcher.fetchFromPackage(spec, pkg, cache, log::add);
        DatasetFetcher.checkOnLoad("fake", dir, spec.files());
    }

    @Test
    void aFetchOfAPresentButChangedDatasetFetchesItAgain() throws Exception {
        sameSizeChange("train-images.gz");
        Path pkg = work.resolve("fake.deb");
        log.clear();
        DatasetFetcher.fetchFromPackage(spec, pkg, cache, log::add);
        assertFalse(log.stream().anyMatch(l -> l.contains("already present")), log.toString());
        DatasetFetcher.checkOnLoad("fake", dir, spec.files());
    }

    @Test
    void aMarkerFromAnOlderVersionGetsItsStoredSumsOnTheFirstLoad() throws Exception {
        Path marker = dir.resolve(DatasetFetcher.MARKER);
        List<String> old = Files.readAllLines(marker).stream().filter(l -> !l.startsWith("# stored") && !l.startsWith("# verified")).toList();
        Files.write(marker, old);
        Instant markerTime = Instant.parse("2026-01-02T03:04:05Z");
        Files.setLastModifiedTime(marker, FileTime.from(markerTime));
        assertEquals(markerTime, DatasetFetcher.verifiedAt(dir).orElseThrow(), "an old marker's time is its file time");
        DatasetFetcher.checkOnLoad("fake", dir, spec.files());
        String now = Files.readString(marker);
        assertTrue(now.contains("# stored-sha256"), now);
        assertEquals(markerTime, DatasetFetcher.verifiedAt(dir).orElseThrow(), "rewriting the marker keeps when it was verified");
        sameSizeChange("train-images.gz");
        try {
            DatasetFetcher.checkOnLoad("fake", dir, spec.files());
            fail("the change is caught");
        } catch (DataFormatException e) {
            assertTrue(e.getMessage().contains("train-images.gz"), e.getMessage());
        }
    }
}
