package dev.convexcnn.sgd;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.method.Budget;
import dev.convexcnn.method.DataInfo;
import dev.convexcnn.method.Method;
import dev.convexcnn.method.MethodInfo;
import dev.convexcnn.method.MethodOptions;
import dev.convexcnn.method.Plan;
import dev.convexcnn.method.Progress;
import dev.convexcnn.method.Trace;
import dev.convexcnn.method.TrainContext;
import dev.convexcnn.method.Trained;
import dev.convexcnn.model.NetworkModel;
import java.io.IOException;

/** The baseline: a CNN of nn layers trained by SGD with momentum (this class) or Adam ({@link Adam}). */
public class SgdMethod implements Method<TrainSettings> {

    @Override public String id() { return "sgd"; }

    @Override
    public MethodInfo info() {
        return new MethodInfo("the reference CNN by SGD with momentum 0.9 (lr 0.05, batch 128)",
                "The baseline every other method is measured against: conv5x5(16)-ReLU-maxpool2-conv5x5(32)-ReLU-maxpool2-"
                        + "linear(10) (or any --arch) trained on the mean softmax cross-entropy by mini-batch SGD with momentum, "
                        + "seeded, checkpointed every epoch and resumable bit for bit. No certificate: a non-convex problem.",
                null, new MethodInfo.Fidelity(MethodInfo.Kind.BASELINE, null));
    }

    /** The reference run, its last layer sized for the data's classes. */
    @Override public TrainSettings defaults(DataInfo data) { return sized(TrainSettings.defaults(), data); }

    static TrainSettings sized(TrainSettings s, DataInfo data) {
        return s.withArchitecture(dev.convexcnn.nn.Architecture.withOutputs(s.architecture(), data.classes()));
    }
    @Override public long seed(TrainSettings s) { return s.seed(); }

    @Override
    public String describe(TrainSettings s) {
        return String.format("%d epoch%s, %s lr %s, batch %d", s.epochs(), s.epochs() == 1 ? "" : "s", s.optimizer(), s.learningRate(), s.batchSize());
    }
    @Override public TrainSettings withSeed(TrainSettings s, long seed) { return s.withSeed(seed); }
    @Override public boolean resumable() { return true; }

    @Override
    public Plan<TrainSettings> plan(Budget b, DataInfo data) {
        int epochs = b.epochs() != null ? b.epochs() : b.pick(1, 3, 2);
        return new Plan<>(b.pick(0, 0, 2_000), defaults(data).withEpochs(epochs));
    }

    @Override public MethodOptions<TrainSettings> options() { return new SgdOptions(); }

    @Override
    public Trained train(Dataset train, TrainSettings s, TrainContext ctx) throws IOException {
        Progress progress = ctx.progress();
        Trace.Recorder rec = new Trace.Recorder("epoch", "mean cross-entropy (running, per epoch)", s.epochs(), progress);
        SgdTrainer.Result r = new SgdTrainer(s).fit(train, ctx.validation(), ctx.checkpoint(), ctx.resume(), new TrainingListener() {
            @Override public void onBatch(int epoch, int batch, int batches, double runningLoss) {
                progress.within(epoch, (double) batch / batches, runningLoss);
            }

            @Override public void onEpoch(EpochRecord e) {
                rec.step(e.epoch(), e.trainLoss(), e.trainAccuracy(), Double.NaN);
                if (!Double.isNaN(e.validationAccuracy())) {
                    rec.message(String.format("epoch %d: validation accuracy %.2f %%", e.epoch(), 100 * e.validationAccuracy()));
                }
            }

            @Override public void onMessage(String m) { rec.message(m); }
        });
        EpochRecord last = r.log().get(r.log().size() - 1);
        double meanEpoch = r.log().stream().mapToDouble(EpochRecord::trainSeconds).average().orElse(Double.NaN);
        return Trained.of(new NetworkModel(r.net(), r.normalization()), rec.trace())
                .line("training", "%s, lr %s, batch %d, %d epochs, seed %d", s.optimizer(), s.learningRate(), s.batchSize(), s.epochs(), s.seed())
                .line("final train loss", "%.4f", last.trainLoss())
                .line("mean epoch time", "%.2f s", meanEpoch)
                .figure("epochs", r.log().size())
                .figure("finalTrainLoss", last.trainLoss())
                .figure("trainAccuracy", last.trainAccuracy())
                .figure("meanEpochSeconds", meanEpoch)
                .build();
    }

    /** The same network trained by Adam (lr 0.001). */
    public static final class Adam extends SgdMethod {
        @Override public String id() { return "adam"; }

        @Override
        public MethodInfo info() {
            return new MethodInfo("the reference CNN by Adam (lr 0.001, batch 128)",
                    "The SGD baseline's network and loss, trained by Adam (β₁ 0.9, β₂ 0.999, ε 1e-8).",
                    "Kingma and Ba, Adam: A Method for Stochastic Optimization, ICLR 2015 (arXiv 1412.6980)",
                    new MethodInfo.Fidelity(MethodInfo.Kind.BASELINE, null));
        }

        @Override public TrainSettings defaults(DataInfo data) { return sized(TrainSettings.defaults().withOptimizer("adam").withLearningRate(0.001), data); }
    }
}
