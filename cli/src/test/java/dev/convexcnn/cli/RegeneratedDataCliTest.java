package dev.convexcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.cli.CliTest.Run;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The regenerated MNIST variants on the command line: listed as regenerated, clear errors for bad names. */
class RegeneratedDataCliTest {
    @TempDir Path dir;

    @Test
    void listSaysTheVariantsAreRegenerated() {
        Run r = CliTest.run("data", "list", "--data-dir", dir.toString());
        assertEquals(0, r.code(), r.err());
        for (String id : new String[] {"mnist-rot-regen", "mnist-rand-regen"}) {
            assertTrue(r.out().contains(id), r.out());
        }
        assertTrue(r.out().contains("needs mnist: convexcnn data fetch mnist"), r.out());
        assertTrue(r.out().contains("not the original Larochelle et al. 2007 files"), r.out());
    }

    @Test
    void originalNamesAndMissingMnistGiveOneLine() {
        Run original = CliTest.run("train", "--dataset", "mnist-back-rand", "--data-dir", dir.toString());
        assertEquals(2, original.code());
        assertTrue(original.err().contains("cannot be fetched") && original.err().contains("mnist-rand-regen"),
                original.err());
        assertFalse(original.err().contains("\tat "), original.err());
        Run missing = CliTest.run("train", "--dataset", "mnist-rot-regen", "--no-fetch", "--data-dir", dir.toString());
        assertTrue(missing.code() != 0, missing.err());
        assertTrue(missing.err().contains("convexcnn data fetch mnist"), missing.err());
        assertFalse(missing.err().contains("\tat "), missing.err());
    }

    @Test
    void fetchingAVariantFetchesMnist() {
        Path none = dir.resolve("none.tgz");
        Run r = CliTest.run("data", "fetch", "mnist-rot-regen", "--from", none.toString(), "--data-dir", dir.toString());
        assertTrue(r.code() != 0, r.err());
        assertTrue(r.err().contains("mnist-rot-regen is regenerated from mnist on load; fetching mnist"), r.err());
        assertTrue(r.err().contains(none.toString()), r.err());
    }
}
