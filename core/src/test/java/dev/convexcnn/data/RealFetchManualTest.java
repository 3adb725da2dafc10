package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Runs the real download into the default cache (npm and apt-get, network). Off unless asked for:
 * {@code CONVEXCNN_REAL_FETCH=1 mvn -pl core test -Dtest=RealFetchManualTest}.
 */
@EnabledIfEnvironmentVariable(named = "CONVEXCNN_REAL_FETCH", matches = "1")
class RealFetchManualTest {
    @Test
    void fetchBoth() throws Exception {
        DataCache cache = DataCache.resolve(null);
        for (KnownDataset d : KnownDataset.values()) {
            long t0 = System.nanoTime();
            DatasetFetcher.fetch(d, cache, System.out::println);
            System.out.printf("%s: %.1f s%n", d.id(), (System.nanoTime() - t0) / 1e9);
            assertTrue(DatasetFetcher.isPresent(d, cache));
        }
    }
}
