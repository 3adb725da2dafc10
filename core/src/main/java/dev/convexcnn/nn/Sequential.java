package dev.convexcnn.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A chain of layers from an image shape to class logits.
 * <p>
 * Outside, a batch is what a {@link dev.convexcnn.data.Dataset} holds: samples one after another, each
 * channels-last; logits are batch × classes. Inside, layers work on the layout (channels, height, width, batch),
 * with the sample index fastest: a convolution is then one matrix product with the batch along the long side,
 * patch rows and pooling windows are long contiguous runs, and a flattened sample is (channel, row, column)
 * as in PyTorch, so vectors are simply (features, batch). {@link #forward} and {@link #backward} convert at the
 * two ends.
 * <p>
 * The execution differs from the spec in exact ways only: a ReLU followed by a max pool runs as one layer, the max
 * pool followed by the ReLU ({@link Pool2d#withRelu}). Max and ReLU commute, and the gradients agree exactly (both
 * send the gradient to the first maximal position, or nowhere when the maximum is not positive), while the ReLU
 * then touches a quarter of the data, in the pool's own pass. A convolution followed by such a pair carries it
 * when the windows tile its output ({@link Conv2d#carry}): each band of output rows is pooled while in cache.
 */
public final class Sequential {
    private final Shape input;
    private final List<Layer> layers;
    private final List<Layer> execution;
    private final List<Shape> shapes;
    private final List<Param> params;
    private final int outputs;
    private float[] inBuf, logits, gradBuf;

    /** Builds the layers for the input shape; the last layer must produce a vector of the given size. */
    public Sequential(Shape input, List<Layer> layers, int outputs) {
        if (layers.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer");
        this.input = input;
        this.layers = List.copyOf(layers);
        List<Shape> s = new ArrayList<>();
        List<Param> p = new ArrayList<>();
        List<Layer> exec = new ArrayList<>();
        Shape cur = input;
        s.add(cur);
        for (int i = 0; i < this.layers.size(); i++) {
            Layer l = this.layers.get(i);
            Layer next = i + 1 < this.layers.size() ? this.layers.get(i + 1) : null;
            Layer third = i + 2 < this.layers.size() ? this.layers.get(i + 2) : null;
            if (l instanceof Conv2d conv && next instanceof Relu && third instanceof Pool2d pool && pool.kind() == Pool2d.Kind.MAX) {
                Shape convolved = build(conv, cur);
                build(next, convolved);
                Shape pooled = build(pool, convolved);
                Pool2d fused = pool.withRelu();
                build(fused, convolved);
                if (conv.carry(fused)) {
                    s.add(convolved);
                    s.add(convolved);
                    s.add(pooled);
                    exec.add(conv);
                    p.addAll(conv.params());
                    cur = pooled;
                    i += 2;
                    continue;
                }
                // Not carried: build the three again below, one by one (building is repeatable).
            }
            if (l instanceof Relu && next instanceof Pool2d pool && pool.kind() == Pool2d.Kind.MAX) {
                Shape pooled = build(pool, cur);
                build(l, pooled);
                Pool2d fused = pool.withRelu();
                build(fused, cur);
                s.add(cur);
                s.add(pooled);
                exec.add(fused);
                cur = pooled;
                i++;
                continue;
            }
            cur = build(l, cur);
            s.add(cur);
            exec.add(l);
            p.addAll(l.params());
        }
        if (cur.size() != outputs) {
            throw new IllegalArgumentException("the architecture ends in " + cur.size() + " outputs but the data has "
                    + outputs + " classes (end it with linear" + outputs + ")");
        }
        this.execution = List.copyOf(exec);
        this.shapes = Collections.unmodifiableList(s);
        this.params = Collections.unmodifiableList(p);
        this.outputs = outputs;
    }

    private static Shape build(Layer l, Shape in) {
        try {
            return l.build(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer '" + l.spec() + "' cannot take a " + in + " input: " + e.getMessage(), e);
        }
    }

    /** Parses and builds an architecture string or preset. */
    public static Sequential of(String spec, Shape input, int classes) {
        return new Sequential(input, Architecture.parse(spec), classes);
    }

    /** Initialises every layer from one seeded stream, layer by layer in order. */
    public Sequential initialize(Initializer init, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Layer l : layers) l.initialize(init, r);
        return this;
    }

    public Shape inputShape() { return input; }
    public int outputs() { return outputs; }
    public List<Layer> layers() { return layers; }
    /** The layers in the order forward runs them (see the class comment). */
    public List<Layer> executionOrder() { return execution; }
    /** The shape before each layer and after the last. */
    public List<Shape> shapes() { return shapes; }
    public List<Param> params() { return params; }

    public String spec() {
        StringBuilder b = new StringBuilder();
        for (Layer l : layers) {
            if (b.length() > 0) b.append('-');
            b.append(l.spec());
        }
        return b.toString();
    }

    public long parameterCount() {
        long n = 0;
        for (Param p : params) n += p.size();
        return n;
    }

    /**
     * Logits (batch × outputs, sample after sample) for a batch of channels-last samples. The array is owned
     * by the network and overwritten by the next call.
     */
    public float[] forward(float[] x, int batch) {
        if (LayerTimes.ON) return timedForward(x, batch);
        float[] cur = toChannelMajor(x, batch);
        for (Layer l : execution) cur = l.forward(cur, batch);
        logits = Layer.ensure(logits, batch * outputs);
        transpose(cur, outputs, batch, logits);
        return logits;
    }

    /** Backpropagates dLoss/dLogits (batch × outputs) of the last forward batch into the parameters' gradients. */
    public void backward(float[] gradLogits, int batch) {
        gradBuf = Layer.ensure(gradBuf, batch * outputs);
        transpose(gradLogits, batch, outputs, gradBuf);
        float[] g = gradBuf;
        for (int i = execution.size() - 1; i >= 0; i--) {
            if (!LayerTimes.ON) {
                g = execution.get(i).backward(g, batch, i > 0);
                continue;
            }
            long t0 = System.nanoTime();
            g = execution.get(i).backward(g, batch, i > 0);
            LayerTimes.add(String.format("2.%02d backward %s", execution.size() - i, label(execution.get(i))), System.nanoTime() - t0);
        }
    }

    private static String label(Layer l) {
        return l instanceof Conv2d c && c.carried() != null ? l.spec() + "-" + c.carried().spec() : l.spec();
    }

    /** {@link #forward} with each step timed into {@link LayerTimes}. */
    private float[] timedForward(float[] x, int batch) {
        long t0 = System.nanoTime();
        float[] cur = toChannelMajor(x, batch);
        LayerTimes.add("1.00 forward: input to channel-major", System.nanoTime() - t0);
        for (int i = 0; i < execution.size(); i++) {
            t0 = System.nanoTime();
            cur = execution.get(i).forward(cur, batch);
            LayerTimes.add(String.format("1.%02d forward %s", i + 1, label(execution.get(i))), System.nanoTime() - t0);
        }
        logits = Layer.ensure(logits, batch * outputs);
        transpose(cur, outputs, batch, logits);
        return logits;
    }

    /** Samples (batch × height·width·channels) into (channels, height, width, batch). */
    private float[] toChannelMajor(float[] x, int batch) {
        final int c = input.channels(), plane = input.height() * input.width();
        inBuf = Layer.ensure(inBuf, batch * c * plane);
        for (int n = 0; n < batch; n++) {
            for (int j = 0; j < plane; j++) {
                for (int ch = 0; ch < c; ch++) inBuf[(ch * plane + j) * batch + n] = x[(n * plane + j) * c + ch];
            }
        }
        return inBuf;
    }

    /** dst (cols × rows) = srcᵀ for a rows × cols src. */
    private static void transpose(float[] src, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
    }

    /**
     * A network whose parameters share this one's values, with gradients and buffers of its own, to run another
     * part of a batch on another thread; null when a layer cannot be replicated.
     */
    public Sequential replica() {
        List<Layer> copies = new ArrayList<>();
        for (Layer l : layers) {
            Layer r = l.replica();
            if (r == null) return null;
            copies.add(r);
        }
        return new Sequential(input, copies, outputs);
    }

    public void zeroGrad() {
        for (Param p : params) p.zeroGrad();
    }

    /** Copies all parameter values into one flat array, in params() order. */
    public float[] flatParameters() {
        float[] all = new float[Math.toIntExact(parameterCount())];
        int off = 0;
        for (Param p : params) {
            System.arraycopy(p.value(), 0, all, off, p.size());
            off += p.size();
        }
        return all;
    }
}
