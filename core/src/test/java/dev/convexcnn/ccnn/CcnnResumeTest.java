package dev.convexcnn.ccnn;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.method.ResumeCheck;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kill and resume equals uninterrupted for CCNN: inside the first layer, inside the second, mini-batch and full batch. */
class CcnnResumeTest {
    @TempDir Path dir;

    private static CcnnSettings twoLayers(int batch) {
        LayerSettings first = CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 30).withPooling(2, 2);
        LayerSettings second = CcnnTrainerTest.small(Kernel.GAUSSIAN, Approximation.FOURIER, 30).withPooling(2, 2).withFilters(2);
        return CcnnTrainerTest.settings(List.of(first, second), batch).withMonitor(20, 4);
    }

    @Test
    void killedInTheFirstLayerMiniBatch() throws Exception {
        Dataset d = CcnnTrainerTest.bars(60, 4);
        ResumeCheck.killAndResumeEqualsUninterrupted(new CcnnMethod(), twoLayers(8), d, dir, 13);
    }

    @Test
    void killedInTheSecondLayerMiniBatch() throws Exception {
        Dataset d = CcnnTrainerTest.bars(60, 4);
        ResumeCheck.killAndResumeEqualsUninterrupted(new CcnnMethod(), twoLayers(8), d, dir, 47);
    }

    @Test
    void killedInTheSecondLayerFullBatch() throws Exception {
        Dataset d = CcnnTrainerTest.bars(60, 4);
        ResumeCheck.killAndResumeEqualsUninterrupted(new CcnnMethod(), twoLayers(1000), d, dir, 35);
    }
}
