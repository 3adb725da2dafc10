package dev.convexcnn.nn;

import java.util.Arrays;

/** A learnable tensor and its gradient, which backward passes accumulate into. */
public final class Param {
    private final String name;
    private final int[] shape;
    private final float[] value;
    private final float[] grad;
    private final boolean decay;

    /** decay says whether weight decay applies (weights yes, biases no). */
    public Param(String name, int[] shape, boolean decay) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        this.name = name;
        this.shape = shape.clone();
        this.value = new float[n];
        this.grad = new float[n];
        this.decay = decay;
    }

    private Param(Param of) {
        this.name = of.name;
        this.shape = of.shape;
        this.value = of.value;
        this.grad = new float[of.value.length];
        this.decay = of.decay;
    }

    /** A param with the same value array (updates show in both) and a gradient of its own: for batch shards. */
    public Param sharingValue() { return new Param(this); }

    public String name() { return name; }
    public int[] shape() { return shape.clone(); }
    public float[] value() { return value; }
    public float[] grad() { return grad; }
    public int size() { return value.length; }
    public boolean decays() { return decay; }
    public void zeroGrad() { Arrays.fill(grad, 0f); }
}
