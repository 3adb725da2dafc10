package dev.convexcnn.alternation;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.nn.Architecture;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Relu;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.sgd.EpochRecord;
import dev.convexcnn.sgd.TrainSettings;
import dev.convexcnn.sgd.TrainingListener;
import java.util.ArrayList;
import java.util.List;

/**
 * Alternating training (our reading of Huang, Kong, Lucey, arXiv 1712.02501): sweeps over the layers, from the
 * output layer to the first, each a weight step with the multi-layer support frozen followed by a support step
 * (see {@link AlternationProblem}), until a sweep lowers the objective by less than the tolerance or the sweep
 * budget is spent. Full batch, seeded, deterministic on a given backend.
 */
public final class AlternatingTrainer {
    private AlternatingTrainer() {}

    /**
     * A finished run: the network (a plain {@link Sequential}, usable with {@link Evaluation}), the input
     * normalisation, the per-sweep log (sweep 0: the initial network), why it stopped, and the provenance.
     */
    public record Result(Sequential net, Normalization normalization, List<SweepRecord> log, String stopReason,
                         JsonObject provenance) {}

    /**
     * The network of the settings, initialised: the architecture with every {@code relu} replaced by a
     * {@link PositiveHardThreshold}. Its initial weights equal those of
     * {@code Sequential.of(s.architecture(), input, classes).initialize(s.initializer(), s.seed())}, the
     * network {@link dev.convexcnn.sgd.SgdTrainer} starts from with {@link #sgdSettings}: thresholding layers,
     * like ReLUs, draw no random numbers.
     */
    public static Sequential network(AlternationSettings s, Shape input, int classes) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : Architecture.parse(s.architecture())) layers.add(l instanceof Relu ? new PositiveHardThreshold(s.threshold()) : l);
        return new Sequential(input, layers, classes).initialize(s.initializer(), s.seed());
    }

    /**
     * SGD/Adam settings on the same architecture, seed and initialiser, for the comparison from the same start.
     * With τ = 0 the SGD network (ReLU) computes the same function as the alternation's, from the same weights.
     * With τ &gt; 0 the SGD path cannot build the thresholding layer from a string (see docs/alternation.md).
     */
    public static TrainSettings sgdSettings(AlternationSettings s, String optimizer, double learningRate, int batchSize, int epochs) {
        return TrainSettings.defaults().withArchitecture(s.architecture()).withOptimizer(optimizer)
                .withLearningRate(learningRate).withBatchSize(batchSize).withEpochs(epochs).withSeed(s.seed())
                .withInitializer(s.initializer());
    }

    /** Trains on train (normalised by its own statistics), evaluating on validation (may be null) after each sweep. */
    public static Result fit(Dataset train, Dataset validation, AlternationSettings s, TrainingListener listener) {
        Shape shape = new Shape(train.height(), train.width(), train.channels());
        Sequential net = network(s, shape, train.classes());
        Normalization norm = Normalization.fit(train);
        return fit(net, train, norm, null, validation, s, listener);
    }

    /**
     * Trains a given network (built with thresholding layers, e.g. by {@link #network}) from its current weights:
     * the warm start. targets: N × classes regression targets, or null for one-hot labels.
     */
    public static Result fit(Sequential net, Dataset train, Normalization norm, float[] targets, Dataset validation,
                             AlternationSettings s, TrainingListener listener) {
        long t0 = System.nanoTime();
        double evalSeconds = 0;
        AlternationProblem p = new AlternationProblem(net, train, norm, targets, s.ridge(), s.chunkSize());
        List<SweepRecord> log = new ArrayList<>();
        long e0 = System.nanoTime();
        double[] v = validate(net, validation, norm);
        evalSeconds += (System.nanoTime() - e0) / 1e9;
        log.add(record(p, 0, v, p.support().activeCount(), 0, 0, t0, evalSeconds));
        listener.onMessage(String.format("alternation: initial objective %.6f, train accuracy %.2f %%", p.objective(), 100 * p.trainAccuracy()));
        int[] order = p.trainableLayers();
        String stop = "the sweep budget (" + s.maxSweeps() + ") is spent";
        for (int sweep = 1; sweep <= s.maxSweeps(); sweep++) {
            double start = p.objective();
            long changes = 0;
            int rejected = 0;
            for (int i = order.length - 1; i >= 0; i--) {
                AlternationProblem.StepResult r = p.weightStep(order[i], s.exactOutputLayer(), s.cgIterations(), s.cgTolerance(), s.maxBacktracks());
                changes += r.supportChanges();
                if (r.stepLength() == 0) rejected++;
            }
            e0 = System.nanoTime();
            v = validate(net, validation, norm);
            evalSeconds += (System.nanoTime() - e0) / 1e9;
            SweepRecord rec = record(p, sweep, v, p.support().activeCount(), changes, rejected, t0, evalSeconds);
            log.add(rec);
            listener.onEpoch(new EpochRecord(sweep, rec.objective(), rec.trainAccuracy(), rec.validationLoss(),
                    rec.validationAccuracy(), rec.trainSeconds(), rec.elapsedSeconds()));
            double decrease = (start - p.objective()) / Math.max(Math.abs(start), Double.MIN_NORMAL);
            if (decrease < s.tolerance()) {
                stop = String.format("sweep %d lowered the objective by %.3g, below the tolerance %.3g", sweep, decrease, s.tolerance());
                break;
            }
        }
        listener.onMessage("alternation stopped: " + stop);
        JsonObject prov = Provenance.base();
        prov.addProperty("method", "alternation");
        prov.add("settings", s.toJson());
        prov.addProperty("seed", s.seed());
        JsonObject d = new JsonObject();
        d.addProperty("train", train.name());
        d.addProperty("trainSize", train.size());
        if (validation != null) {
            d.addProperty("validation", validation.name());
            d.addProperty("validationSize", validation.size());
        }
        prov.add("data", d);
        prov.addProperty("stopReason", stop);
        return new Result(net, norm, List.copyOf(log), stop, prov);
    }

    private static double[] validate(Sequential net, Dataset validation, Normalization norm) {
        if (validation == null || validation.size() == 0) return new double[] {Double.NaN, Double.NaN};
        Evaluation e = Evaluation.of(net, validation, norm, 500);
        return new double[] {e.loss(), e.accuracy()};
    }

    private static SweepRecord record(AlternationProblem p, int sweep, double[] v, long active, long changes, int rejected,
                                      long t0, double evalSeconds) {
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return new SweepRecord(sweep, p.objective(), p.trainAccuracy(), v[0], v[1], changes, active, p.dataPasses(),
                rejected, elapsed - evalSeconds, elapsed);
    }
}
