package dev.convexcnn.lab;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.io.Records;
import dev.convexcnn.linalg.Backend;
import dev.convexcnn.method.Budget;
import dev.convexcnn.method.DataInfo;
import dev.convexcnn.method.Method;
import dev.convexcnn.method.Methods;
import dev.convexcnn.method.Plan;
import dev.convexcnn.method.Progress;
import dev.convexcnn.method.Trace;
import dev.convexcnn.method.TrainContext;
import dev.convexcnn.method.Training;
import dev.convexcnn.model.Model;
import dev.convexcnn.model.ModelStore;
import dev.convexcnn.optim.Certificate;
import dev.convexcnn.report.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs methods × seeds on one dataset with one budget, every method through {@link Training}. Each run is stored
 * as RUN_DIR/runs/METHOD-seedN.json the moment it finishes (and its model under RUN_DIR/models), so a rerun, or a
 * rerun after a kill, skips what is done. RUN_DIR/compare.json records the dataset and budget: a directory is tied
 * to them, while methods and seeds may be added later.
 */
public final class Compare {
    private static final com.google.gson.Gson PRETTY = new com.google.gson.GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private Compare() {}

    /** What to compare. Seeds are the seed policy: every method runs once per seed. */
    public record Settings(String dataset, List<String> methods, List<Long> seeds, Budget budget) {
        public Settings {
            if (methods.isEmpty()) throw new IllegalArgumentException("--methods names no method");
            if (seeds.isEmpty()) throw new IllegalArgumentException("--seeds names no seed");
            methods = Methods.parse(methods);
            seeds = List.copyOf(seeds);
            if (methods.stream().distinct().count() != methods.size()) throw new IllegalArgumentException("--methods names a method twice: " + methods);
            // A seed named twice would count one run twice in the table's means.
            if (seeds.stream().distinct().count() != seeds.size()) throw new IllegalArgumentException("--seeds names a seed twice: " + seeds);
        }
    }

    /** Runs what is missing and returns every run of the settings, in method-then-seed order. */
    public static List<RunRecord> run(Settings s, Path runDir, DataCache cache, boolean fetch, Consumer<String> log) throws IOException {
        return run(s, runDir, cache, fetch, log, m -> new Progress() {
            @Override public void message(String line) { log.accept(m + ": " + line); }
        });
    }

    /** As {@link #run(Settings, Path, DataCache, boolean, Consumer)}, with a progress per method (by id). */
    public static List<RunRecord> run(Settings s, Path runDir, DataCache cache, boolean fetch, Consumer<String> log,
                                      Function<String, Progress> progress) throws IOException {
        Files.createDirectories(runDir.resolve("runs"));
        // Held for the whole claim-and-run: a second comparison in this folder (another budget under the same label,
        // or the same runs twice) is refused at once with the holder's pid and command.
        try (var lock = dev.convexcnn.io.FileLocks.acquire(runDir, "running a comparison in it")) {
            return runLocked(s, runDir, cache, fetch, log, progress);
        }
    }

    private static List<RunRecord> runLocked(Settings s, Path runDir, DataCache cache, boolean fetch, Consumer<String> log,
                                             Function<String, Progress> progress) throws IOException {
        claim(runDir, s);
        Dataset train = null, test = null;
        List<RunRecord> out = new ArrayList<>();
        for (String id : s.methods()) {
            for (long seed : s.seeds()) {
                Path file = runFile(runDir, id, seed);
                if (Files.exists(file)) {
                    out.add(RunRecord.read(file));
                    log.accept(id + " seed " + seed + ": done before, skipped (" + file + ")");
                    continue;
                }
                if (train == null) {
                    Datasets.Options data = new Datasets.Options(cache, fetch, log);
                    train = Datasets.train(s.dataset(), data);
                    test = head(Datasets.test(s.dataset(), data), s.budget().testLimit());
                    recordPlans(runDir, s.budget(), DataInfo.of(train));
                }
                String why = Methods.get(id).unsupported(DataInfo.of(train));
                if (why != null) {
                    log.accept(id + ": skipped: " + why);
                    break;
                }
                log.accept(id + " seed " + seed + ": training ...");
                PeakHeap.reset();
                RunRecord r = runOne(Methods.get(id), train, test, seed, s.budget(), runDir.resolve("models").resolve(id + "-seed" + seed + ".cnn"),
                        progress.apply(id));
                r = r.withPeakHeapBytes(PeakHeap.bytes());
                AtomicFiles.writeString(file, r.toJsonText() + "\n");
                log.accept(String.format("%s seed %d: test accuracy %.2f %%, %.1f s%s", id, seed, 100 * r.testAccuracy(), r.trainSeconds(),
                        r.certificateName() == null ? "" : ", certificate " + (Boolean.TRUE.equals(r.certified()) ? "reached" : "not reached")));
                out.add(r);
            }
        }
        return out;
    }

    /** One method, one seed, within the budget: trained, evaluated, its model saved, its record built. */
    static <S> RunRecord runOne(Method<S> m, Dataset train, Dataset test, long seed, Budget budget, Path modelFile, Progress progress)
            throws IOException {
        Plan<S> plan = m.plan(budget, DataInfo.of(train));
        Dataset tr = head(train, budget.cap(plan.trainLimit()));
        S settings = m.withSeed(plan.settings(), seed);
        Training.Result r = Training.run(m, settings, tr, test, TrainContext.of(progress));
        if (modelFile != null) ModelStore.save(modelFile, r.trained().model(), r.provenance());
        return record(r, tr, test, seed);
    }

    /** The run record of a finished run. */
    static RunRecord record(Training.Result r, Dataset train, Dataset test, long seed) {
        Model model = r.trained().model();
        Trace trace = r.trained().trace();
        List<RunRecord.CurvePoint> curve = new ArrayList<>();
        for (Trace.Point p : trace.points()) curve.add(new RunRecord.CurvePoint(p.seconds(), p.objective(), p.accuracy()));
        Certificate c = r.certificate();
        RunRecord.Filters filters = model.firstLayerFilters()
                .map(f -> new RunRecord.Filters(f.count(), f.channels(), f.height(), f.width(), f.values())).orElse(null);
        JsonElement settings = Records.settingsJson(r.settings());
        return new RunRecord(r.method().id(), test.name(), seed, train.size(), test.size(), r.evaluation().accuracy(),
                r.evaluation().loss(), r.seconds(), -1, model.parameterCount(), model.architecture(), trace.objectiveName(),
                c == null ? null : c.name(), c == null ? null : c.value(), c == null || Double.isNaN(c.tolerance()) ? null : c.reached(),
                Backend.get().kind(), settings.isJsonObject() ? settings.getAsJsonObject() : new JsonObject(), r.provenance(), curve,
                r.evaluation().confusion(), filters);
    }

    /** What the budget gives each method on this data, in words, kept in compare.json for the report's budget table. */
    private static void recordPlans(Path runDir, Budget budget, DataInfo data) throws IOException {
        Path f = runDir.resolve("compare.json");
        JsonObject o = dev.convexcnn.io.ChecksummedJson.read(f, "comparison file");
        JsonObject plans = Methods.plans(budget, data).getAsJsonObject("plans");
        if (plans.equals(o.get("plans"))) return;
        o.add("plans", plans);
        AtomicFiles.writeString(f, dev.convexcnn.io.ChecksummedJson.encode(o, PRETTY) + "\n");
    }

    static Dataset head(Dataset d, int limit) {
        return limit == 0 || limit >= d.size() ? d : d.head(limit);
    }

    static Path runFile(Path runDir, String method, long seed) {
        return runDir.resolve("runs").resolve(RunRecord.fileName(method, seed));
    }

    /**
     * Writes compare.json, or checks that an existing one has the same dataset and budget; either way the methods
     * list becomes the union, in first-seen order (the report's order).
     */
    private static void claim(Path runDir, Settings s) throws IOException {
        Path f = runDir.resolve("compare.json");
        JsonObject want = new JsonObject();
        want.addProperty("dataset", s.dataset());
        want.add("budget", Records.toJson(s.budget()));
        JsonObject o = want.deepCopy();
        com.google.gson.JsonArray methods = new com.google.gson.JsonArray();
        if (Files.exists(f)) {
            JsonObject have = dev.convexcnn.io.ChecksummedJson.read(f, "comparison file");
            if (!want.get("dataset").equals(have.get("dataset")) || !want.get("budget").equals(have.get("budget"))) {
                throw new IllegalArgumentException(runDir + " holds a comparison of " + have.get("dataset") + " with budget "
                        + have.get("budget") + "; this one is " + want.get("dataset") + " with " + want.get("budget")
                        + ": use another --out");
            }
            o = have;
            if (have.has("methods")) methods = have.getAsJsonArray("methods");
        } else {
            o.add("provenance", Provenance.base());
        }
        int before = methods.size();
        for (String m : s.methods()) if (!methods.contains(new com.google.gson.JsonPrimitive(m))) methods.add(m);
        if (before == methods.size() && o.has("methods")) return;
        o.add("methods", methods);
        AtomicFiles.writeString(f, dev.convexcnn.io.ChecksummedJson.encode(o, PRETTY) + "\n");
    }
}
