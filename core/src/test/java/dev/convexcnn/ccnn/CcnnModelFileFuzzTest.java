package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.FileFaults;
import dev.convexcnn.io.FileFaults.Fault;
import dev.convexcnn.io.FileFaults.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Damaged CCNN and DCCNN model files: refused with a *FormatException naming the file, or read as the same model
 * (bit-identical logits: same process, backend, shapes and threads).
 */
class CcnnModelFileFuzzTest {
    private static final Path DIR = FileFaults.tempDir("ccnn-fuzz");
    private static final Dataset DATA = CcnnTrainerTest.bars(40, 21);
    private static final byte[] PRIMAL, DUAL;
    private static final double[] PRIMAL_LOGITS, DUAL_LOGITS;

    static {
        try {
            LayerSettings l1 = CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 10).withPooling(2, 2);
            LayerSettings l2 = CcnnTrainerTest.small(Kernel.INVERSE_POLYNOMIAL, Approximation.NYSTROM, 10).withPatch(2, 1, 0).withPooling(2, 2);
            CcnnModel primal = CcnnTrainer.fit(DATA, CcnnTrainerTest.settings(List.of(l1, l2), 20), null);
            Path p = DIR.resolve("primal.ccnn");
            CcnnModelFile.save(p, primal, null);
            PRIMAL = Files.readAllBytes(p);
            PRIMAL_LOGITS = CcnnModelFile.load(p).logits(DATA);
            CcnnModel dual = DccnnTrainer.fit(DATA, DccnnSettings.of(CcnnTrainerTest.settings(
                    List.of(CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 50)), 20)), null);
            Path d = DIR.resolve("dual.ccnn");
            CcnnModelFile.save(d, dual, null);
            DUAL = Files.readAllBytes(d);
            DUAL_LOGITS = CcnnModelFile.load(d).logits(DATA);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double[] logits(Path p) throws IOException {
        CcnnModel m = CcnnModelFile.load(p);
        return m.logits(DATA);
    }

    @Provide Arbitrary<Fault> byteFaults() { return FileFaults.faults(Kind.TRUNCATE, Kind.FLIP); }

    @Property(tries = 150)
    void everyTruncationOrFlippedByteIsRefused(@ForAll("byteFaults") Fault f, @ForAll boolean dual) throws IOException {
        assertTrue(FileFaults.refusedOrSame(DIR.resolve("damaged.ccnn"), FileFaults.damageBytes(dual ? DUAL : PRIMAL, f),
                CcnnModelFileFuzzTest::logits, dual ? DUAL_LOGITS : PRIMAL_LOGITS, Arrays::equals), "unnoticed: " + f);
    }

    /** Which file, and one edit of its header. */
    record Edit(boolean second, FileFaults.KeyEdit edit) {}

    @Provide Arbitrary<Edit> keyEdits() {
        List<Edit> all = new java.util.ArrayList<>();
        for (var e : FileFaults.allKeyEdits(FileFaults.tensorHeader(PRIMAL), List.of("provenance"))) all.add(new Edit(false, e));
        for (var e : FileFaults.allKeyEdits(FileFaults.tensorHeader(DUAL), List.of("provenance"))) all.add(new Edit(true, e));
        return Arbitraries.of(all);
    }

    /** Every key of both headers removed and renamed (checksums recomputed, as another writer would). */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void removedOrRenamedHeaderKeysAreRefusedOrHarmless(@ForAll("keyEdits") Edit e) throws IOException {
        byte[] good = e.second() ? DUAL : PRIMAL;
        FileFaults.refusedOrSame(DIR.resolve("edited.model"), FileFaults.withTensorHeader(good, e.edit().apply(FileFaults.tensorHeader(good))),
                e.second() ? CcnnModelFileFuzzTest::logits : CcnnModelFileFuzzTest::logits, e.second() ? DUAL_LOGITS : PRIMAL_LOGITS, Arrays::equals);
    }
}
