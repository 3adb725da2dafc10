package dev.convexcnn.linalg;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.ludovic.netlib.lapack.JavaLAPACK;
import dev.ludovic.netlib.lapack.LAPACK;
import dev.ludovic.netlib.lapack.NativeLAPACK;
import java.util.Locale;

/**
 * Which BLAS/LAPACK implementation runs. By default the best one available: native OpenBLAS when
 * {@code libblas.so.3} resolves to it (Debian's {@code libopenblas0}), else the Java Vector API, else plain Java.
 * The environment variable {@code CONVEXCNN_BACKEND} (or system property {@code convexcnn.backend}) set to
 * {@code java} forces the Java implementation, so results can be compared across backends.
 */
public final class Backend {
    private static volatile Backend instance;

    private final BLAS blas;
    private final LAPACK lapack;
    private final String description;

    private Backend(BLAS blas, LAPACK lapack, String description) {
        this.blas = blas;
        this.lapack = lapack;
        this.description = description;
    }

    /** The process-wide backend, chosen once. */
    public static Backend get() {
        Backend b = instance;
        if (b == null) {
            synchronized (Backend.class) {
                if (instance == null) instance = choose(requested());
                b = instance;
            }
        }
        return b;
    }

    private static String requested() {
        String p = System.getProperty("convexcnn.backend");
        if (p == null) p = System.getenv("CONVEXCNN_BACKEND");
        return p == null ? "auto" : p.trim().toLowerCase(Locale.ROOT);
    }

    private static Backend choose(String request) {
        switch (request) {
            case "java": {
                Backend chosen = new Backend(JavaBLAS.getInstance(), JavaLAPACK.getInstance(), describe(JavaBLAS.getInstance()));
                // Other code may have loaded netlib's JNI libraries all the same (its own getInstance()): tidy those too.
                NativeLibraryFiles.tidy();
                return chosen;
            }
            case "auto":
            case "":
            case "native":
                BLAS b = BLAS.getInstance();
                LAPACK l = LAPACK.getInstance();
                if ("native".equals(request) && !isNative(b)) {
                    throw new IllegalStateException("CONVEXCNN_BACKEND=native but no native BLAS loaded: "
                            + "install libopenblas0 (apt-get install -y libopenblas0)");
                }
                Backend chosen = new Backend(b, l, describe(b));
                NativeLibraryFiles.tidy();
                return chosen;
            default:
                throw new IllegalArgumentException("CONVEXCNN_BACKEND must be auto, native or java, got '" + request + "'");
        }
    }

    private static boolean isNative(BLAS b) {
        return b instanceof NativeBLAS;
    }

    private static String describe(BLAS b) {
        String cls = b.getClass().getSimpleName();
        if (b instanceof NativeBLAS) {
            String lib = loadedBlasLibrary();
            return (lib.contains("openblas") ? "native OpenBLAS" : "native BLAS") + " (" + cls + " -> " + lib + ")";
        }
        if (cls.startsWith("Vector")) return "Java Vector API (" + cls + ")";
        return "plain Java (" + cls + ")";
    }

    /** The BLAS shared library this process mapped, read from /proc/self/maps on Linux. */
    static String loadedBlasLibrary() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.contains("libopenblas") || p.contains("libblas") || p.contains("libmkl"))
                    .filter(p -> !p.contains("netlib"))
                    .sorted((x, y) -> Boolean.compare(y.contains("openblas"), x.contains("openblas")))
                    .findFirst().orElse("libblas.so.3");
        } catch (java.io.IOException | RuntimeException e) {
            return "libblas.so.3";
        }
    }

    public BLAS blas() { return blas; }
    public LAPACK lapack() { return lapack; }
    public boolean isNative() { return isNative(blas); }
    /** A short name for reports: native, vector or java. */
    public String kind() {
        if (isNative()) return "native";
        return blas.getClass().getSimpleName().startsWith("Vector") ? "vector" : "java";
    }
    public String description() { return description; }

    /**
     * Whether one BLAS call already uses several cores: a native BLAS with more than one thread (OpenBLAS takes
     * every core unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS says 1). Code that would run BLAS calls from
     * several Java threads at once should then run them from one: two threads each driving a threaded OpenBLAS
     * were 1.5-3x slower than one (measured on the gated features, 2 cores).
     */
    public boolean threadedCalls() {
        if (!isNative() || Runtime.getRuntime().availableProcessors() < 2) return false;
        for (String v : new String[] {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}) {
            String t = System.getenv(v);
            if (t != null && !t.isBlank()) {
                try {
                    return Integer.parseInt(t.trim()) > 1;
                } catch (NumberFormatException e) {
                    return true;
                }
            }
        }
        return true;
    }

    /** Whether the native LAPACK is loaded (it is whenever native BLAS is). */
    public boolean nativeLapack() { return lapack instanceof NativeLAPACK; }
}
