package dev.convexcnn.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/** A chain of layers from an image shape to class logits. */
public final class Sequential {
    private final Shape input;
    private final List<Layer> layers;
    private final List<Shape> shapes;
    private final List<Param> params;
    private final int outputs;

    /** Builds the layers for the input shape; the last layer must produce a vector of the given size. */
    public Sequential(Shape input, List<Layer> layers, int outputs) {
        if (layers.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer");
        this.input = input;
        this.layers = List.copyOf(layers);
        List<Shape> s = new ArrayList<>();
        List<Param> p = new ArrayList<>();
        Shape cur = input;
        s.add(cur);
        for (Layer l : this.layers) {
            try {
                cur = l.build(cur);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer '" + l.spec() + "' cannot take a " + cur + " input: " + e.getMessage(), e);
            }
            s.add(cur);
            p.addAll(l.params());
        }
        if (cur.size() != outputs) {
            throw new IllegalArgumentException("the architecture ends in " + cur.size() + " outputs but the data has "
                    + outputs + " classes (end it with linear" + outputs + ")");
        }
        this.shapes = Collections.unmodifiableList(s);
        this.params = Collections.unmodifiableList(p);
        this.outputs = outputs;
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

    /** Logits for a batch (batch × outputs values); the array is owned by the last layer. */
    public float[] forward(float[] x, int batch) {
        float[] cur = x;
        for (Layer l : layers) cur = l.forward(cur, batch);
        return cur;
    }

    /** Backpropagates dLoss/dLogits of the last forward batch into the parameters' gradients. */
    public void backward(float[] gradLogits, int batch) {
        float[] g = gradLogits;
        for (int i = layers.size() - 1; i >= 0; i--) g = layers.get(i).backward(g, batch, i > 0);
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
