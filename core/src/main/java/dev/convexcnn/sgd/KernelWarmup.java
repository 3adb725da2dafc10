package dev.convexcnn.sgd;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.linalg.BlasThreads;
import dev.convexcnn.linalg.Parallel;
import dev.convexcnn.nn.Batches;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.SoftmaxCrossEntropy;

/**
 * Runs the network's layers forward and backward on a spare thread while the caller does single-threaded work
 * before the first epoch (the data's fingerprint, the normalisation: about half a second on full MNIST), so the
 * JIT compiles the layers' kernels on a core that would idle instead of during the first batches, beside the
 * training threads. It runs only as long as the caller's work: {@link #close} stops it after the running pass
 * and waits for it. It writes no weight: a replica of the network (its own gradients and buffers, the
 * weights shared and only read), on the first samples of the training set, unnormalised, never an optimiser
 * step; so the trained weights are the same bits with or without it. Off with {@code -Dconvexcnn.warmup=false}.
 */
final class KernelWarmup implements AutoCloseable {
    private final Thread thread;
    private volatile boolean stop;
    private volatile int passes;

    private KernelWarmup(Sequential net, Dataset train, int half, int classes) {
        Sequential replica = half < 1 ? null : replicaOrNull(net);
        if (replica == null) {
            thread = null;
            return;
        }
        thread = new Thread(() -> Parallel.inline(() -> {
            float[] x = new float[half * train.features()], grad = new float[half * classes];
            int[] y = new int[half];
            Normalization none = Normalization.identity(train.channels());
            SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
            try (BlasThreads.Scope blas = BlasThreads.singleThreaded()) {
                while (!stop) {
                    Batches.gather(train, null, 0, half, none, x, y);
                    replica.zeroGrad();
                    float[] logits = replica.forward(x, half);
                    loss.evaluate(logits, half, classes, y, null, grad);
                    replica.backward(grad, half);
                    passes++;
                }
            } catch (RuntimeException e) {
                // Only a head start is lost: training runs the same layers and reports what goes wrong there.
            }
        }), "convexcnn-kernel-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    private static Sequential replicaOrNull(Sequential net) {
        try {
            return net.replica();
        } catch (RuntimeException e) {
            return null;    // e.g. a layer not built yet: no head start, training reports it
        }
    }

    /** Starts on half a batch (the size each training thread runs), or does nothing when switched off. */
    static KernelWarmup start(Sequential net, Dataset train, int batchSize, int classes) {
        boolean on = !"false".equals(System.getProperty("convexcnn.warmup"));
        int half = (Math.min(batchSize, train.size()) + BatchShards.SHARDS - 1) / BatchShards.SHARDS;
        return new KernelWarmup(net, train, on ? half : 0, classes);
    }

    /** The passes run so far (forward and backward of half a batch each). */
    int passes() { return passes; }

    @Override
    public void close() {
        if (thread == null) return;
        stop = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
