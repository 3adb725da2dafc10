package dev.convexcnn.sgd;

import dev.convexcnn.method.MethodOptions;
import dev.convexcnn.nn.Initializer;
import picocli.CommandLine.Option;

/** The options of sgd and adam. Unset options keep the method's defaults. */
public final class SgdOptions implements MethodOptions<TrainSettings> {
    @Option(names = "--arch", paramLabel = "ARCH", description = "Architecture string or preset (reference, lenet5, mlp, linear), "
            + "e.g. conv16k5-relu-maxpool2-linear10 (default: reference).")
    String arch;
    @Option(names = "--optimizer", description = "sgd (momentum) or adam (default: sgd for --method sgd, adam for --method adam).")
    String optimizer;
    @Option(names = "--epochs", description = "Epochs (default: 1).")
    Integer epochs;
    @Option(names = "--batch-size", description = "Mini-batch size (default: 128).")
    Integer batchSize;
    @Option(names = "--lr", description = "Learning rate (default: 0.05 for sgd, 0.001 for adam).")
    Double lr;
    @Option(names = "--momentum", description = "SGD momentum (default: 0.9).")
    Double momentum;
    @Option(names = "--weight-decay", description = "L2 weight decay on weights, not biases (default: 0).")
    Double weightDecay;
    @Option(names = "--init", description = "Initialiser: he, glorot or uniform-fan-in, PyTorch's default (default: uniform-fan-in).")
    String init;

    @Override
    public TrainSettings apply(TrainSettings s) {
        if (optimizer != null) {
            s = s.withOptimizer(optimizer);
            if (lr == null) s = s.withLearningRate(s.optimizer().equals("adam") ? 0.001 : 0.05);
        }
        if (arch != null) s = s.withArchitecture(arch);
        if (epochs != null) s = s.withEpochs(epochs);
        if (batchSize != null) {
            if (batchSize <= 0 || batchSize > 1 << 16) throw new IllegalArgumentException("--batch-size must be in 1..65536, got " + batchSize);
            s = s.withBatchSize(batchSize);
        }
        if (lr != null) s = s.withLearningRate(lr);
        if (momentum != null) s = s.withMomentum(momentum);
        if (weightDecay != null) s = s.withWeightDecay(weightDecay);
        if (init != null) s = s.withInitializer(Initializer.parse(init));
        return s;
    }
}
