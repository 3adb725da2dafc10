package dev.convexcnn.linalg;

/**
 * The native OpenBLAS's own thread count, changed at run time through its {@code openblas_set_num_threads}.
 * Code that splits its work over Java threads itself (the SGD batch shards) wants each BLAS call on one thread:
 * a threaded OpenBLAS called from two Java threads at once oversubscribes the cores, and its idle workers spin
 * (sched_yield, system time) while Java code runs. The call goes through the incubating foreign-function API,
 * which the launcher opens ({@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED});
 * without it, or without a native OpenBLAS, {@link #singleThreaded()} says it could not.
 */
public final class BlasThreads {
    interface Impl {
        int get();

        void set(int threads);
    }

    private static volatile Impl impl;
    private static volatile boolean looked;

    private BlasThreads() {}

    /** Open scopes, and the count before the first of them: nested or concurrent trainings share one setting. */
    private static int users, saved;

    /** A scope in which native BLAS calls run on one thread; closing the last open one puts the old count back. */
    public static final class Scope implements AutoCloseable {
        private final Impl owner;
        private final boolean single;
        private boolean closed;

        private Scope(Impl owner, boolean single) {
            this.owner = owner;
            this.single = single;
        }

        /** Whether each BLAS call now runs on one thread (also true for the Java BLAS, which never threads). */
        public boolean single() { return single; }

        @Override
        public void close() {
            synchronized (BlasThreads.class) {
                if (owner == null || closed) return;
                closed = true;
                if (--users == 0 && saved > 1) owner.set(saved);
            }
        }
    }

    /** Makes native BLAS calls single-threaded until the scope closes, where that is possible. */
    public static synchronized Scope singleThreaded() {
        Backend b = Backend.get();
        if (!b.isNative()) return new Scope(null, true);
        Impl i = impl();
        if (i == null) return new Scope(null, !b.threadedCalls());
        if (users++ == 0) {
            saved = i.get();
            if (saved > 1) i.set(1);
        }
        return new Scope(i, i.get() == 1);
    }

    /** OpenBLAS's thread count now, or -1 where it cannot be read (no native OpenBLAS, or the API closed). */
    public static int current() {
        Impl i = Backend.get().isNative() ? impl() : null;
        return i == null ? -1 : i.get();
    }

    /** Whether the thread count can be changed here (native OpenBLAS and the foreign-function API open). */
    public static boolean controllable() {
        return Backend.get().isNative() && impl() != null;
    }

    private static Impl impl() {
        if (!looked) {
            synchronized (BlasThreads.class) {
                if (!looked) {
                    impl = load();
                    looked = true;
                }
            }
        }
        return impl;
    }

    private static Impl load() {
        if (ModuleLayer.boot().findModule("jdk.incubator.foreign").isEmpty()) return null;
        String lib = Backend.loadedBlasLibrary();
        if (!lib.startsWith("/") || !lib.contains("openblas")) return null;
        try {
            return (Impl) Class.forName("dev.convexcnn.linalg.ForeignOpenBlas")
                    .getDeclaredConstructor(String.class).newInstance(lib);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // No native access granted, or no such symbol: the caller keeps BLAS as it is.
            return null;
        }
    }
}
