package dev.convexcnn.alternation;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.io.SolverCheckpoint;
import dev.convexcnn.method.Checkpointer;
import dev.convexcnn.nn.Architecture;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Relu;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.sgd.EpochRecord;
import dev.convexcnn.sgd.TrainSettings;
import dev.convexcnn.sgd.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
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
        try {
            return fit(train, validation, s, listener, Checkpointer.none());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no checkpoint: cannot happen
        }
    }

    /** {@link #fit(Dataset, Dataset, AlternationSettings, TrainingListener)} with its state saved through ck and resumed. */
    public static Result fit(Dataset train, Dataset validation, AlternationSettings s, TrainingListener listener, Checkpointer ck)
            throws IOException {
        Shape shape = new Shape(train.height(), train.width(), train.channels());
        Sequential net = network(s, shape, train.classes());
        Normalization norm = Normalization.fit(train);
        return fit(net, train, norm, null, validation, s, listener, ck);
    }

    /**
     * Trains a given network (built with thresholding layers, e.g. by {@link #network}) from its current weights:
     * the warm start. targets: N × classes regression targets, or null for one-hot labels.
     */
    public static Result fit(Sequential net, Dataset train, Normalization norm, float[] targets, Dataset validation,
                             AlternationSettings s, TrainingListener listener) {
        try {
            return fit(net, train, norm, targets, validation, s, listener, Checkpointer.none());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no checkpoint: cannot happen
        }
    }

    /** What a run's state depends on: the settings, the training data and the validation data (its log's). */
    public static JsonObject fingerprint(AlternationSettings s, Dataset train, Dataset validation) {
        JsonObject f = Checkpointer.fingerprint(s.toJson(), train);
        if (validation != null) f.addProperty("validation", validation.size() + ":" + validation.sha256());
        return f;
    }

    /**
     * {@link #fit(Sequential, Dataset, Normalization, float[], Dataset, AlternationSettings, TrainingListener)}
     * saving its state through {@code ck} after layer steps (every interval, and at the end of each sweep) and, when
     * resuming, continuing from it to the uninterrupted run's network. The state: the weights (the support, the
     * objective and the accuracy are those of a free pass at them, recomputed), the sweep, the next layer, the
     * sweep's running figures, the pass count and the log.
     */
    public static Result fit(Sequential net, Dataset train, Normalization norm, float[] targets, Dataset validation,
                             AlternationSettings s, TrainingListener listener, Checkpointer ck) throws IOException {
        long t0 = System.nanoTime();
        double evalSeconds = 0;
        SolverCheckpoint from = ck.resumeFrom();
        if (from != null) restoreParameters(net, from);
        AlternationProblem p = new AlternationProblem(net, train, norm, targets, s.ridge(), s.chunkSize());
        List<SweepRecord> log = new ArrayList<>();
        int[] order = p.trainableLayers();
        double[] v;
        int firstSweep = 1, firstLayer = order.length - 1;
        double start = Double.NaN;
        long changes = 0;
        int rejected = 0;
        if (from == null) {
            long e0 = System.nanoTime();
            v = validate(net, validation, norm);
            evalSeconds += (System.nanoTime() - e0) / 1e9;
            log.add(record(p, 0, v, p.support().activeCount(), 0, 0, t0, evalSeconds));
            listener.onMessage(String.format("alternation: initial objective %.6f, train accuracy %.2f %%", p.objective(), 100 * p.trainAccuracy()));
        } else {
            log.addAll(loadLog(from));
            for (SweepRecord r : log) {
                if (r.sweep() > 0) listener.onEpoch(epoch(r));
            }
            p.restorePasses(from.integer("passes", 0, Integer.MAX_VALUE));
            firstSweep = from.integer("sweep", 1, s.maxSweeps());
            firstLayer = from.integer("nextLayer", -1, order.length - 1);
            start = from.real("sweepStart");
            changes = from.whole("changes");
            rejected = from.integer("rejected", 0, order.length);
            evalSeconds = from.real("evalSeconds");
            t0 -= (long) (from.real("seconds") * 1e9);
            ck.resumed("sweep " + firstSweep + (firstLayer >= 0 ? ", layer step " + (order.length - firstLayer) + " of " + order.length : ", its end"));
        }
        String stop = "the sweep budget (" + s.maxSweeps() + ") is spent";
        for (int sweep = firstSweep; sweep <= s.maxSweeps(); sweep++) {
            boolean resumed = from != null && sweep == firstSweep;
            if (!resumed) {
                start = p.objective();
                changes = 0;
                rejected = 0;
            }
            for (int i = resumed ? firstLayer : order.length - 1; i >= 0; i--) {
                AlternationProblem.StepResult r = p.weightStep(order[i], s.exactOutputLayer(), s.cgIterations(), s.cgTolerance(), s.maxBacktracks());
                changes += r.supportChanges();
                if (r.stepLength() == 0) rejected++;
                // Saved every interval and after the sweep's last layer step (so at the end too).
                if ((ck.due() || i == 0) && ck.enabled()) {
                    SolverCheckpoint c = ck.state().put("parameters", net.flatParameters()).whole("sweep", sweep).whole("nextLayer", i - 1)
                            .real("sweepStart", start).whole("changes", changes).whole("rejected", rejected).whole("passes", p.dataPasses())
                            .real("evalSeconds", evalSeconds).real("seconds", (System.nanoTime() - t0) / 1e9);
                    saveLog(c, log);
                    ck.save(c);
                }
            }
            long e0 = System.nanoTime();
            v = validate(net, validation, norm);
            evalSeconds += (System.nanoTime() - e0) / 1e9;
            SweepRecord rec = record(p, sweep, v, p.support().activeCount(), changes, rejected, t0, evalSeconds);
            log.add(rec);
            listener.onEpoch(epoch(rec));
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

    private static EpochRecord epoch(SweepRecord rec) {
        return new EpochRecord(rec.sweep(), rec.objective(), rec.trainAccuracy(), rec.validationLoss(), rec.validationAccuracy(),
                rec.trainSeconds(), rec.elapsedSeconds());
    }

    private static void restoreParameters(Sequential net, SolverCheckpoint c) throws ModelFormatException {
        float[] all = c.floats("parameters", Math.toIntExact(net.parameterCount()));
        int off = 0;
        for (dev.convexcnn.nn.Param q : net.params()) {
            System.arraycopy(all, off, q.value(), 0, q.size());
            off += q.size();
        }
    }

    static void saveLog(SolverCheckpoint c, List<SweepRecord> log) {
        int n = log.size();
        long[] sweep = new long[n], changes = new long[n], active = new long[n], passes = new long[n], rejected = new long[n];
        double[] obj = new double[n], acc = new double[n], vLoss = new double[n], vAcc = new double[n], train = new double[n], elapsed = new double[n];
        for (int i = 0; i < n; i++) {
            SweepRecord r = log.get(i);
            sweep[i] = r.sweep();
            obj[i] = r.objective();
            acc[i] = r.trainAccuracy();
            vLoss[i] = r.validationLoss();
            vAcc[i] = r.validationAccuracy();
            changes[i] = r.supportChanges();
            active[i] = r.activeUnits();
            passes[i] = r.dataPasses();
            rejected[i] = r.rejectedSteps();
            train[i] = r.trainSeconds();
            elapsed[i] = r.elapsedSeconds();
        }
        c.put("log.sweep", sweep).put("log.objective", obj).put("log.trainAccuracy", acc).put("log.validationLoss", vLoss)
                .put("log.validationAccuracy", vAcc).put("log.supportChanges", changes).put("log.activeUnits", active)
                .put("log.dataPasses", passes).put("log.rejectedSteps", rejected).put("log.trainSeconds", train).put("log.elapsedSeconds", elapsed);
    }

    static List<SweepRecord> loadLog(SolverCheckpoint c) throws ModelFormatException {
        int[] sweep = c.ints("log.sweep");
        int n = sweep.length;
        int[] passes = c.ints("log.dataPasses", n), rejected = c.ints("log.rejectedSteps", n);
        long[] changes = c.longs("log.supportChanges"), active = c.longs("log.activeUnits");
        double[] obj = c.doubles("log.objective", n), acc = c.doubles("log.trainAccuracy", n), vLoss = c.doubles("log.validationLoss", n),
                vAcc = c.doubles("log.validationAccuracy", n), train = c.doubles("log.trainSeconds", n), elapsed = c.doubles("log.elapsedSeconds", n);
        if (changes.length != n || active.length != n) throw new ModelFormatException(c.source(), "solver checkpoint log arrays differ in length");
        List<SweepRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new SweepRecord(sweep[i], obj[i], acc[i], vLoss[i], vAcc[i], changes[i], active[i], passes[i], rejected[i], train[i], elapsed[i]));
        }
        return out;
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
