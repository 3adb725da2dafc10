package dev.convexcnn.data;

import java.nio.file.Path;

/**
 * The folder that holds fetched datasets, one sub-folder per dataset ({@code <dir>/mnist/},
 * {@code <dir>/fashion-mnist/}). Chosen by, in order: an explicit folder (a command-line flag), the
 * environment variable {@value #ENV}, or {@code ~/.cache/convexcnn/data}.
 */
public final class DataCache {
    /** Environment variable naming the cache folder. */
    public static final String ENV = "CONVEXCNN_DATA";

    private final Path dir;

    public DataCache(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The flag if given, else {@value #ENV}, else {@code ~/.cache/convexcnn/data}. Creates nothing. */
    public static DataCache resolve(Path flagOrNull) {
        return resolve(flagOrNull, System.getenv(ENV), System.getProperty("user.home"));
    }

    static DataCache resolve(Path flag, String env, String home) {
        if (flag != null) return new DataCache(flag);
        Path h = Path.of(home);
        if (env != null && !env.isBlank()) {
            String e = env.strip();
            // A value quoted in a config file escapes the shell's tilde expansion.
            if (e.equals("~")) return new DataCache(h);
            if (e.startsWith("~/")) return new DataCache(h.resolve(e.substring(2)));
            return new DataCache(Path.of(e));
        }
        return new DataCache(h.resolve(".cache").resolve("convexcnn").resolve("data"));
    }

    /** The cache folder (absolute). */
    public Path dir() {
        return dir;
    }

    /** The folder of one dataset inside the cache. */
    public Path datasetDir(KnownDataset d) {
        return dir.resolve(d.id());
    }

    @Override
    public String toString() {
        return "data cache " + dir;
    }
}
