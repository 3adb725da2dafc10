package dev.convexcnn.linalg;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.SymbolLookup;

/** {@link BlasThreads} through the incubating foreign-function API. Loaded only when the module is present. */
final class ForeignOpenBlas implements BlasThreads.Impl {
    private final MethodHandle get, set;

    ForeignOpenBlas(String library) {
        // The library is already mapped (the JNI BLAS linked it): loading the same file again gives the same copy.
        System.load(library);
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        CLinker c = CLinker.getInstance();
        get = c.downcallHandle(lookup.lookup("openblas_get_num_threads").orElseThrow(),
                MethodType.methodType(int.class), FunctionDescriptor.of(CLinker.C_INT));
        set = c.downcallHandle(lookup.lookup("openblas_set_num_threads").orElseThrow(),
                MethodType.methodType(void.class, int.class), FunctionDescriptor.ofVoid(CLinker.C_INT));
    }

    @Override
    public int get() {
        try {
            return (int) get.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_get_num_threads failed", t);
        }
    }

    @Override
    public void set(int threads) {
        try {
            set.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }
}
