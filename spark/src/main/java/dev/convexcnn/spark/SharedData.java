package dev.convexcnn.spark;

import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.KnownDataset;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import scala.Tuple2;

/**
 * The data folder every executor reads: a plain path (a shared mount, or the same files on every node) is read as
 * it is; a URL ({@code file://}, {@code hdfs://}, {@code s3a://}, anything Hadoop has a FileSystem for) is read
 * through Hadoop's FileSystem API, the dataset's folder copied once per JVM into the executor's own scratch folder
 * (Spark's per-application folder, removed with the executor) and read there by the core's readers. The files
 * come from the storage, not from the driver.
 */
final class SharedData {
    private SharedData() {}

    /** Whether --data-dir names a URL (scheme://...) rather than a local path. */
    static boolean isUrl(String dataDir) {
        return dataDir != null && dataDir.matches("[A-Za-z][A-Za-z0-9+.-]+://.*");
    }

    /**
     * A local cache that holds {@code dataset}: dataDir itself when it is a path (null: the default cache), else
     * a local copy of {@code <dataDir>/<dataset>/} made through Hadoop's FileSystem.
     */
    static DataCache cache(String dataDir, String dataset) throws IOException {
        if (!isUrl(dataDir)) return DataCache.resolve(dataDir == null ? null : Path.of(dataDir));
        KnownDataset known;
        try {
            known = KnownDataset.parse(dataset);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--data-dir " + dataDir + " (a URL) holds only the named datasets ("
                    + KnownDataset.validNames() + "), not '" + dataset + "'");
        }
        URI base = URI.create(dataDir.endsWith("/") ? dataDir : dataDir + "/");
        Path root = scratch().resolve("convexcnn-data").resolve(hash(base.toString()));
        Path local = root.resolve(known.id());
        synchronized (SharedData.class) {
            if (!Files.isDirectory(local)) stage(base.resolve(known.id()), root, local);
        }
        return new DataCache(root);
    }

    private static void stage(URI source, Path root, Path local) throws IOException {
        Files.createDirectories(root);
        Path tmp = root.resolve("." + local.getFileName() + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        long t0 = System.nanoTime();
        try {
            FileSystem fs = FileSystem.get(source, hadoopConf());
            org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(source);
            if (!fs.exists(src)) throw new IOException("--data-dir: " + source + " does not exist (fetch the dataset there first: convexcnn data fetch)");
            fs.copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(tmp.toUri()), true);
            try {
                Files.move(tmp, local, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.isDirectory(local)) throw e;   // another JVM on this node staged it first
            }
            System.err.printf("convexcnn-spark: read %s through %s into %s (%.1f s)%n", source, fs.getClass().getSimpleName(), local,
                    (System.nanoTime() - t0) / 1e9);
        } finally {
            if (Files.exists(tmp)) {
                try (Stream<Path> s = Files.walk(tmp)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** Hadoop settings: the defaults plus the application's spark.hadoop.* entries (credentials, endpoints). */
    private static Configuration hadoopConf() {
        Configuration c = new Configuration();
        SparkEnv env = SparkEnv.get();
        if (env != null) {
            for (Tuple2<String, String> kv : env.conf().getAll()) {
                if (kv._1().startsWith("spark.hadoop.")) c.set(kv._1().substring("spark.hadoop.".length()), kv._2());
            }
        }
        return c;
    }

    /** The executor's scratch folder (Spark's, removed with the application), else the JVM's temp folder. */
    private static Path scratch() {
        if (SparkEnv.get() != null) {
            try {
                return Path.of(SparkFiles.getRootDirectory()).toAbsolutePath();
            } catch (RuntimeException e) {
                // not inside a Spark application after all
            }
        }
        return ownTemp();
    }

    private static Path ownTemp;

    /** Outside Spark (the driver before its context starts): a folder of this JVM's, removed when it exits. */
    private static synchronized Path ownTemp() {
        if (ownTemp == null) {
            try {
                Path t = Files.createTempDirectory("convexcnn-data-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try (Stream<Path> s = Files.walk(t)) {
                        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    } catch (IOException e) {
                        // best effort: it is under the temp folder
                    }
                }));
                ownTemp = t;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot create a temporary folder for --data-dir's files", e);
            }
        }
        return ownTemp;
    }

    private static String hash(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
