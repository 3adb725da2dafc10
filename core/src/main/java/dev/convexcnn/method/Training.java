package dev.convexcnn.method;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.io.Records;
import dev.convexcnn.nn.Evaluation;
import dev.convexcnn.optim.Certificate;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs any method the same way: train, evaluate on held-out data, and build the provenance the model file and the
 * run record carry (version, backend, data name + size + sha256, method with its fidelity label, settings, seed,
 * certificate, figures). The command line, the comparison and the Spark sweeps all train through here.
 */
public final class Training {
    private Training() {}

    /**
     * A finished run.
     *
     * @param evaluation  the model on the held-out data, or null when none was given
     * @param evaluatedOn the held-out data's name, or null
     */
    public record Result(Method<?> method, Object settings, Trained trained, Evaluation evaluation, String evaluatedOn,
                         double seconds, JsonObject provenance) {
        public Certificate certificate() { return trained.certificate(); }
    }

    /**
     * Held-out data read only when it is evaluated, after training, so that a run does not hold it while it trains
     * (the 10,000 MNIST test images are 31 MB); its shape is known before, for the checks.
     */
    public interface HeldOut {
        /** A set with the held-out data's name, image shape and classes (its samples may be left out). */
        Dataset shape();

        /** The held-out data itself. */
        Dataset load() throws IOException;

        /** Data already in memory. */
        static HeldOut of(Dataset d) {
            return new HeldOut() {
                public Dataset shape() { return d; }
                public Dataset load() { return d; }
            };
        }
    }

    /** Trains m on train with the settings, then evaluates on heldOut (null: no evaluation). */
    public static <S> Result run(Method<S> m, S settings, Dataset train, Dataset heldOut, TrainContext context) throws IOException {
        return run(m, settings, train, heldOut == null ? null : HeldOut.of(heldOut), context);
    }

    /** As above, the held-out data read after training. */
    public static <S> Result run(Method<S> m, S settings, Dataset train, HeldOut later, TrainContext context) throws IOException {
        return runReleasing(m, settings, new AtomicReference<>(train), later, context);
    }

    /**
     * As above, the training set taken out of {@code train} (left empty) and let go once trained, before the
     * held-out data is read: when the caller keeps no other reference, the two sets are never held at once (on
     * full MNIST, 188 MB of training images during the evaluation).
     */
    public static <S> Result runReleasing(Method<S> m, S settings, AtomicReference<Dataset> train, HeldOut later,
                                          TrainContext context) throws IOException {
        Dataset data = train.getAndSet(null);
        if (data == null) throw new IllegalArgumentException("no training set to train on (already taken)");
        Shape trainShape = Shape.of(data);
        if (later != null) trainShape.require(later.shape());
        long t0 = System.nanoTime();
        Trained t = m.train(data, settings, context);
        double seconds = (System.nanoTime() - t0) * 1e-9;
        JsonObject prov = provenance(m, settings, data, t, seconds);
        data = null; // the training set is not needed any more: let it go before the held-out set is read
        Evaluation e = null;
        Dataset heldOut = null;
        if (later != null) {
            heldOut = later.load();
            trainShape.require(heldOut);
            context.progress().message("evaluating on " + heldOut.name() + " (" + heldOut.size() + " samples) ...");
            e = evaluate(t.model(), heldOut, context.progress());
        }
        if (e != null) {
            JsonObject ev = new JsonObject();
            ev.addProperty("data", heldOut.name());
            ev.addProperty("samples", e.samples());
            ev.addProperty("accuracy", e.accuracy());
            ev.addProperty("loss", e.loss());
            prov.add("evaluation", ev);
        }
        return new Result(m, settings, t, e, heldOut == null ? null : heldOut.name(), seconds, prov);
    }

    /** The training set's image shape and classes, and how it is named in a message, without its samples. */
    private record Shape(int height, int width, int channels, int classes, String description) {
        static Shape of(Dataset d) {
            return new Shape(d.height(), d.width(), d.channels(), d.classes(), d.toString());
        }

        void require(Dataset heldOut) {
            if (heldOut.height() != height || heldOut.width() != width || heldOut.channels() != channels
                    || heldOut.classes() != classes) {
                throw new IllegalArgumentException("the held-out data " + heldOut + " does not match the training data " + description);
            }
        }
    }

    /**
     * The model on d in tenths, any kind of model: after each tenth that ends two seconds or more after the last
     * line, a line with how far it is and an ETA (a quick evaluation prints nothing more).
     */
    static Evaluation evaluate(dev.convexcnn.model.Model model, Dataset d, Progress progress) {
        int parts = d.size() >= 1_000 ? 10 : 1;
        long start = System.nanoTime(), last = start;
        Evaluation total = null;
        for (int k = 0; k < parts; k++) {
            int from = (int) ((long) d.size() * k / parts), to = (int) ((long) d.size() * (k + 1) / parts);
            Evaluation e = parts == 1 ? model.evaluate(d) : model.evaluate(d.subset(java.util.stream.IntStream.range(from, to).toArray(), d.name()));
            total = total == null ? e : total.plus(e);
            long now = System.nanoTime();
            if (k + 1 < parts && now - last >= 2_000_000_000L) {
                last = now;
                double elapsed = (now - start) / 1e9, eta = elapsed * (parts - k - 1) / (k + 1);
                progress.message(String.format("evaluating on %s: %d %% (%,d of %,d samples), %.1f s, eta %.1f s", d.name(),
                        100 * (k + 1) / parts, to, d.size(), elapsed, eta));
            }
        }
        return total;
    }

    /** The provenance of a trained model: where it came from and what it certifies. */
    public static <S> JsonObject provenance(Method<S> m, S settings, Dataset train, Trained t, double seconds) {
        JsonObject p = Provenance.base();
        p.add("method", methodJson(m));
        p.addProperty("seed", m.seed(settings));
        p.add("settings", Records.settingsJson(settings));
        p.add("data", dataJson(train));
        p.addProperty("trainSeconds", seconds);
        if (t.certificate() != null) p.add("certificate", certificateJson(t.certificate()));
        p.add("figures", t.figures().deepCopy());
        return p;
    }

    /**
     * A trainer's own provenance object without what the framework records itself (version, backend, method,
     * settings, seed, data): the method's figures (λ, objective, ...).
     */
    public static JsonObject ownFigures(JsonObject trainerProvenance) {
        JsonObject base = Provenance.base();
        JsonObject o = new JsonObject();
        if (trainerProvenance == null) return o;
        for (var e : trainerProvenance.entrySet()) {
            String k = e.getKey();
            if (base.has(k) || k.equals("method") || k.equals("settings") || k.equals("seed") || k.equals("data")) continue;
            o.add(k, e.getValue().deepCopy());
        }
        return o;
    }

    /** Id, summary, paper and fidelity label. */
    public static JsonObject methodJson(Method<?> m) {
        JsonObject o = new JsonObject();
        o.addProperty("id", m.id());
        o.addProperty("summary", m.info().summary());
        o.addProperty("description", m.info().description());
        if (m.info().paper() != null) o.addProperty("paper", m.info().paper());
        o.addProperty("fidelity", m.info().fidelity().label());
        return o;
    }

    /** Name, size, shape and content hash of a training set. */
    public static JsonObject dataJson(Dataset d) {
        JsonObject o = new JsonObject();
        o.addProperty("name", d.name());
        o.addProperty("samples", d.size());
        o.addProperty("shape", d.height() + "x" + d.width() + "x" + d.channels());
        o.addProperty("classes", d.classes());
        o.addProperty("sha256", d.sha256());
        return o;
    }

    /** A certificate as JSON: its kind, name, figures and whether it reached its tolerance. */
    public static JsonObject certificateJson(Certificate c) {
        JsonObject o = new JsonObject();
        o.addProperty("kind", c.getClass().getSimpleName());
        o.addProperty("name", c.name());
        for (Map.Entry<String, Double> e : c.figures().entrySet()) {
            double v = e.getValue();
            if (Double.isFinite(v)) o.addProperty(e.getKey(), v);
            else o.addProperty(e.getKey(), String.valueOf(v));
        }
        o.addProperty("reached", c.reached());
        o.addProperty("summary", c.summary());
        return o;
    }
}
