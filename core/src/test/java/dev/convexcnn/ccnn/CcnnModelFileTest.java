package dev.convexcnn.ccnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save → load keeps a model's predictions, settings and certificates, for CCNN (RFF + Nyström) and DCCNN. */
class CcnnModelFileTest {
    @TempDir Path dir;

    @Test
    void primalTwoLayerModelRoundTrips() throws Exception {
        Dataset d = CcnnTrainerTest.bars(60, 21);
        LayerSettings l1 = CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 30).withPooling(2, 2);
        LayerSettings l2 = CcnnTrainerTest.small(Kernel.INVERSE_POLYNOMIAL, Approximation.NYSTROM, 30).withPatch(2, 1, 0).withPooling(2, 2);
        CcnnModel model = CcnnTrainer.fit(d, CcnnTrainerTest.settings(List.of(l1, l2), 20), null);
        Path file = dir.resolve("m.ccnn");
        CcnnModelFile.save(file, model, null);
        CcnnModel back = CcnnModelFile.load(file);
        assertArrayEquals(model.logits(d), back.logits(d), 1e-9);
        assertEquals(model.settings(), back.settings());
        assertEquals(model.certificates(), back.certificates());
        assertEquals(model.parameterCount(), back.parameterCount());
        assertEquals(model.filterCount(), back.filterCount());
    }

    @Test
    void dualModelRoundTripsWithItsCertificates() throws Exception {
        Dataset d = CcnnTrainerTest.bars(50, 22);
        LayerSettings l1 = CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 200);
        CcnnModel model = DccnnTrainer.fit(d, DccnnSettings.of(CcnnTrainerTest.settings(List.of(l1), 20)), null);
        Path file = dir.resolve("d.ccnn");
        CcnnModelFile.save(file, model, null);
        CcnnModel back = CcnnModelFile.load(file);
        assertTrue(back.isDual());
        assertEquals(model.dualCertificates(), back.dualCertificates());
        assertArrayEquals(model.logits(d), back.logits(d), 1e-9);
        // The centred DCCNN's bias (default) travels exactly.
        assertTrue(java.util.Arrays.stream(model.bias()).anyMatch(v -> v != 0));
        assertArrayEquals(model.bias(), back.bias(), 0);
    }

    @Test
    void damagedFileIsRefusedWithItsName() throws Exception {
        Path file = dir.resolve("bad.ccnn");
        Files.writeString(file, "not a model");
        Exception e = assertThrows(java.io.IOException.class, () -> CcnnModelFile.load(file));
        assertTrue(e.getMessage().contains("bad.ccnn"), e.getMessage());
    }
}
