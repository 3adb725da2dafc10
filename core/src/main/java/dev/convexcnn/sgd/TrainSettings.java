package dev.convexcnn.sgd;

import com.google.gson.JsonObject;
import dev.convexcnn.nn.Architecture;
import dev.convexcnn.nn.Initializer;
import java.util.Locale;

/**
 * The settings of one SGD/Adam run. Construction validates; the defaults are the project's reference run
 * (the benchmark net, SGD lr 0.05, momentum 0.9, batch 128, one epoch, seed 1).
 *
 * @param architecture an architecture string or preset, see {@link Architecture}
 * @param optimizer    {@code sgd} (momentum) or {@code adam}
 * @param momentum     SGD momentum; ignored by Adam
 * @param beta1        Adam β₁; ignored by SGD
 * @param beta2        Adam β₂; ignored by SGD
 * @param epsilon      Adam ε; ignored by SGD
 */
public record TrainSettings(String architecture, String optimizer, double learningRate, double momentum,
                            double weightDecay, double beta1, double beta2, double epsilon, int batchSize,
                            int epochs, long seed, Initializer initializer) {

    public TrainSettings {
        architecture = Architecture.expand(architecture);
        optimizer = optimizer.toLowerCase(Locale.ROOT);
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new IllegalArgumentException("optimizer must be sgd or adam, got '" + optimizer + "'");
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (weightDecay < 0) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
    }

    public static TrainSettings defaults() {
        return new TrainSettings("reference", "sgd", 0.05, 0.9, 0, 0.9, 0.999, 1e-8, 128, 1, 1L, Initializer.UNIFORM_FAN_IN);
    }

    public TrainSettings withArchitecture(String a) { return new TrainSettings(a, optimizer, learningRate, momentum, weightDecay, beta1, beta2, epsilon, batchSize, epochs, seed, initializer); }
    public TrainSettings withOptimizer(String o) { return new TrainSettings(architecture, o, learningRate, momentum, weightDecay, beta1, beta2, epsilon, batchSize, epochs, seed, initializer); }
    public TrainSettings withLearningRate(double lr) { return new TrainSettings(architecture, optimizer, lr, momentum, weightDecay, beta1, beta2, epsilon, batchSize, epochs, seed, initializer); }
    public TrainSettings withMomentum(double m) { return new TrainSettings(architecture, optimizer, learningRate, m, weightDecay, beta1, beta2, epsilon, batchSize, epochs, seed, initializer); }
    public TrainSettings withWeightDecay(double wd) { return new TrainSettings(architecture, optimizer, learningRate, momentum, wd, beta1, beta2, epsilon, batchSize, epochs, seed, initializer); }
    public TrainSettings withBatchSize(int b) { return new TrainSettings(architecture, optimizer, learningRate, momentum, weightDecay, beta1, beta2, epsilon, b, epochs, seed, initializer); }
    public TrainSettings withEpochs(int e) { return new TrainSettings(architecture, optimizer, learningRate, momentum, weightDecay, beta1, beta2, epsilon, batchSize, e, seed, initializer); }
    public TrainSettings withSeed(long s) { return new TrainSettings(architecture, optimizer, learningRate, momentum, weightDecay, beta1, beta2, epsilon, batchSize, epochs, s, initializer); }
    public TrainSettings withInitializer(Initializer i) { return new TrainSettings(architecture, optimizer, learningRate, momentum, weightDecay, beta1, beta2, epsilon, batchSize, epochs, seed, i); }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("architecture", architecture);
        o.addProperty("optimizer", optimizer);
        o.addProperty("learningRate", learningRate);
        if (optimizer.equals("sgd")) {
            o.addProperty("momentum", momentum);
        } else {
            o.addProperty("beta1", beta1);
            o.addProperty("beta2", beta2);
            o.addProperty("epsilon", epsilon);
        }
        o.addProperty("weightDecay", weightDecay);
        o.addProperty("batchSize", batchSize);
        o.addProperty("epochs", epochs);
        o.addProperty("seed", seed);
        o.addProperty("initializer", initializer.id());
        return o;
    }

    public static TrainSettings fromJson(JsonObject o) {
        TrainSettings d = defaults();
        return new TrainSettings(o.get("architecture").getAsString(), o.get("optimizer").getAsString(),
                o.get("learningRate").getAsDouble(),
                o.has("momentum") ? o.get("momentum").getAsDouble() : d.momentum,
                o.get("weightDecay").getAsDouble(),
                o.has("beta1") ? o.get("beta1").getAsDouble() : d.beta1,
                o.has("beta2") ? o.get("beta2").getAsDouble() : d.beta2,
                o.has("epsilon") ? o.get("epsilon").getAsDouble() : d.epsilon,
                o.get("batchSize").getAsInt(), o.get("epochs").getAsInt(), o.get("seed").getAsLong(),
                Initializer.parse(o.get("initializer").getAsString()));
    }

    /** Whether a run with these settings can continue a run made with other: all equal but the epoch count. */
    public boolean sameRunAs(TrainSettings other) {
        return withEpochs(1).equals(other.withEpochs(1));
    }
}
