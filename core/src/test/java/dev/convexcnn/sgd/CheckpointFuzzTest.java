package dev.convexcnn.sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
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
import org.junit.jupiter.api.Test;

/** Damaged checkpoints: refused with a *FormatException naming the file, or read as the undamaged checkpoint. */
class CheckpointFuzzTest {
    private static final Path DIR = FileFaults.tempDir("checkpoint-fuzz");
    private static final byte[] GOOD;
    private static final Checkpoint ORIGINAL;

    static {
        try {
            // Adam, non-default betas and a validation split: every key of the header carries a value that matters.
            TrainSettings s = SgdTrainerTest.small().withOptimizer("adam").withLearningRate(0.01).withEpochs(2);
            s = new TrainSettings(s.architecture(), "adam", 0.01, 0.9, 1e-4, 0.8, 0.99, 1e-7, 16, 2, 7, s.initializer());
            Path ckpt = DIR.resolve("good.ckpt");
            new SgdTrainer(s).fit(SgdTrainerTest.bars(60, 1), SgdTrainerTest.bars(30, 2), ckpt, false, TrainingListener.NONE);
            GOOD = Files.readAllBytes(ckpt);
            ORIGINAL = Checkpoint.read(ckpt);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static boolean same(Checkpoint a, Checkpoint b) {
        if (!a.settings().equals(b.settings()) || !a.dataFingerprint().equals(b.dataFingerprint()) || a.epochsDone() != b.epochsDone()
                || !a.normalization().equals(b.normalization()) || a.optimizerSteps() != b.optimizerSteps() || !a.log().equals(b.log())
                || !a.parameters().keySet().equals(b.parameters().keySet()) || !a.optimizerState().keySet().equals(b.optimizerState().keySet())) {
            return false;
        }
        for (var e : a.parameters().entrySet()) {
            if (!Arrays.equals(e.getValue().values(), b.parameters().get(e.getKey()).values())
                    || !Arrays.equals(e.getValue().shape(), b.parameters().get(e.getKey()).shape())) return false;
        }
        for (var e : a.optimizerState().entrySet()) if (!Arrays.equals(e.getValue(), b.optimizerState().get(e.getKey()))) return false;
        return true;
    }

    @Provide Arbitrary<Fault> byteFaults() { return FileFaults.faults(Kind.TRUNCATE, Kind.FLIP); }

    @Property(tries = 200)
    void everyTruncationOrFlippedByteIsRefused(@ForAll("byteFaults") Fault f) throws IOException {
        assertTrue(FileFaults.refusedOrSame(DIR.resolve("damaged.ckpt"), FileFaults.damageBytes(GOOD, f), Checkpoint::read, ORIGINAL,
                CheckpointFuzzTest::same), "unnoticed: " + f);
    }

    @Provide Arbitrary<FileFaults.KeyEdit> keyEdits() {
        return Arbitraries.of(FileFaults.allKeyEdits(FileFaults.tensorHeader(GOOD), List.of("provenance")));
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void removedOrRenamedHeaderKeysAreRefusedOrHarmless(@ForAll("keyEdits") FileFaults.KeyEdit e) throws IOException {
        FileFaults.refusedOrSame(DIR.resolve("edited.ckpt"), FileFaults.withTensorHeader(GOOD, e.apply(FileFaults.tensorHeader(GOOD))),
                Checkpoint::read, ORIGINAL, CheckpointFuzzTest::same);
    }

    @Test
    void resumingWithFewerEpochsThanDoneIsRefusedNotMislabelled(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Dataset train = SgdTrainerTest.bars(60, 1);
        Path ckpt = dir.resolve("c.ckpt");
        new SgdTrainer(SgdTrainerTest.small().withEpochs(3)).fit(train, null, ckpt, false, TrainingListener.NONE);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new SgdTrainer(SgdTrainerTest.small().withEpochs(2)).fit(train, null, ckpt, true, TrainingListener.NONE));
        assertTrue(e.getMessage().contains("3 epochs done") && e.getMessage().contains("c.ckpt"), e.getMessage());
        // Resuming with the same count or more still works.
        assertEquals(3, new SgdTrainer(SgdTrainerTest.small().withEpochs(3)).fit(train, null, ckpt, true, TrainingListener.NONE).log().size());
    }
}
