package dev.convexcnn.experiments;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.DatasetFetcher;
import dev.convexcnn.data.KnownDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Runs the real download into the default cache (npm and apt-get, network). Off unless asked for:
 * {@code CONVEXCNN_REAL_FETCH=1 mvn -pl lab test -Dtest=RealFetchManualTest -Dsurefire.failIfNoSpecifiedTests=false}
 * (after {@code mvn -q install -pl core -DskipTests}).
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
