package dev.convexcnn.lab;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.report.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs methods × seeds on one dataset with one budget. Each run is stored as RUN_DIR/runs/METHOD-seedN.json the
 * moment it finishes (and its model, where the method has a file format, under RUN_DIR/models), so a rerun, or a
 * rerun after a kill, skips what is done. RUN_DIR/compare.json records the dataset and budget: a directory is tied
 * to them, while methods and seeds may be added later.
 */
public final class Compare {
    private Compare() {}

    /** What to compare. Seeds are the seed policy: every method runs once per seed. */
    public record Settings(String dataset, List<String> methods, List<Long> seeds, Budget budget) {
        public Settings {
            if (methods.isEmpty()) throw new IllegalArgumentException("--methods names no method");
            if (seeds.isEmpty()) throw new IllegalArgumentException("--seeds names no seed");
            methods = List.copyOf(methods);
            seeds = List.copyOf(seeds);
            for (String m : methods) Methods.get(m);
            if (methods.stream().distinct().count() != methods.size()) throw new IllegalArgumentException("--methods names a method twice: " + methods);
        }
    }

    /** Runs what is missing and returns every run of the settings, in method-then-seed order. */
    public static List<RunRecord> run(Settings s, Path runDir, DataCache cache, boolean fetch, Consumer<String> log) throws IOException {
        Files.createDirectories(runDir.resolve("runs"));
        claim(runDir, s);
        Dataset train = null, test = null;
        List<RunRecord> out = new ArrayList<>();
        for (String m : s.methods()) {
            for (long seed : s.seeds()) {
                Path file = runFile(runDir, m, seed);
                if (Files.exists(file)) {
                    out.add(RunRecord.read(file));
                    log.accept(m + " seed " + seed + ": done before, skipped (" + file + ")");
                    continue;
                }
                if (train == null) {
                    train = Datasets.load(s.dataset(), true, cache, fetch, log);
                    test = Methods.head(Datasets.load(s.dataset(), false, cache, fetch, log), s.budget().testLimit());
                }
                log.accept(m + " seed " + seed + ": training ...");
                Path model = runDir.resolve("models").resolve(m + "-seed" + seed + ".cnn");
                PeakHeap.reset();
                RunRecord r = Methods.get(m).run(train, test, seed, s.budget(), model, log);
                r = r.withPeakHeapBytes(PeakHeap.bytes());
                AtomicFiles.writeString(file, r.toJsonText() + "\n");
                log.accept(String.format("%s seed %d: test accuracy %.2f%%, %.1f s", m, seed, 100 * r.testAccuracy(), r.trainSeconds()));
                out.add(r);
            }
        }
        return out;
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
        want.add("budget", s.budget().toJson());
        JsonObject o = want.deepCopy();
        com.google.gson.JsonArray methods = new com.google.gson.JsonArray();
        if (Files.exists(f)) {
            JsonObject have;
            try {
                have = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            } catch (RuntimeException e) {
                throw new IOException(f + ": unreadable (" + e.getMessage() + ")");
            }
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
        AtomicFiles.writeString(f, dev.convexcnn.io.TensorFile.toJson(o) + "\n");
    }
}
