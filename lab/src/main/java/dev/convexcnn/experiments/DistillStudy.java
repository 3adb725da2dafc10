package dev.convexcnn.experiments;

import dev.convexcnn.distill.*;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Shifts;
import dev.convexcnn.data.Splits;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.report.LinePlot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole study: split the training images into the students' part and a validation part, get the teacher
 * (load it, or train it on the students' part), build the transfer set (that part plus shifted copies) and cache
 * the teacher's logits on it, run every cell through {@link CellRunner} (finished ones are skipped), and write the
 * table ({@code results.md}), all figures ({@code results.json}) and accuracy against parameters per family (PNG).
 */
public final class DistillStudy {
    private DistillStudy() {}

    /**
     * @param validationFraction share of the training images held out to select among search candidates
     * @param transferShifts     shifted copies of the students' images added to the transfer set (0: none)
     * @param maxShift           largest shift in pixels, for the transfer copies
     */
    public record Settings(List<StudentFamily> students, List<Long> budgets, boolean hardLabels, CellSettings cell,
                           double validationFraction, int transferShifts, int maxShift) {
        public Settings {
            if (students.isEmpty()) throw new IllegalArgumentException("no students: give conv or mlp layer counts");
            if (budgets.isEmpty()) throw new IllegalArgumentException("no parameter budgets");
            if (!(validationFraction > 0 && validationFraction < 1)) {
                throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validationFraction);
            }
            if (transferShifts < 0) throw new IllegalArgumentException("transfer shifts must be >= 0, got " + transferShifts);
            students = List.copyOf(students);
            budgets = List.copyOf(budgets);
        }

        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            JsonArray s = new JsonArray();
            students.forEach(f -> s.add(f.id()));
            o.add("students", s);
            JsonArray b = new JsonArray();
            budgets.forEach(b::add);
            o.add("budgets", b);
            o.addProperty("hardLabels", hardLabels);
            o.add("cell", cell.toJson());
            o.addProperty("validationFraction", validationFraction);
            o.addProperty("transferShifts", transferShifts);
            o.addProperty("maxShift", maxShift);
            return o;
        }
    }

    /** The teacher's row of the table. */
    public record TeacherSummary(int members, String architecture, long parameters, double testAccuracy,
                                 double validationAccuracy, List<Double> memberTestAccuracy) {}

    /** What a study produced: the teacher's summary and every cell in run order. */
    public record Outcome(TeacherSummary teacher, List<CellRunner.Outcome> cells) {}

    /** A prepared study: the data every cell needs, the teacher and its row of the table. */
    public record Prepared(StudyData data, Teacher teacher, TeacherSummary summary) {}

    /**
     * Everything before the cells: the split, the teacher (loaded, or trained into out with teacherSettings when
     * teacherFiles is null), the transfer set and the teacher's cached logits. A distributed runner calls this
     * once, then {@link CellRunner#runIfNeeded} for each of {@link #cells}.
     */
    public static Prepared prepare(Dataset train, Dataset test, List<Path> teacherFiles, Teacher.Settings teacherSettings,
                                   Settings s, Path out, Consumer<String> log) throws IOException {
        long seed = s.cell().seed();
        Splits.Split split = Splits.stratified(train, s.validationFraction(), seed);
        Dataset students = split.train(), validation = split.validation();
        log.accept("data: " + students.size() + " training images for the teacher and students, " + validation.size()
                + " validation, " + test.size() + " test");
        Teacher teacher = teacherFiles != null ? Teacher.load(teacherFiles)
                : Teacher.trainOrLoad(teacherSettings, students, out, log);
        Dataset transfer = students;
        if (s.transferShifts() > 0) {
            Dataset[] parts = new Dataset[s.transferShifts() + 1];
            parts[0] = students;
            for (int k = 1; k <= s.transferShifts(); k++) parts[k] = Shifts.random(students, s.maxShift(), seed * 31 + k, students.name() + "/shift" + k);
            transfer = Shifts.concat(students.name() + "+" + s.transferShifts() + "shifted", parts);
        }
        float[] logits = LogitCache.logits(teacher, transfer, out, log);
        StudyData data = new StudyData(transfer, logits, teacher.key(), validation, test);

        List<Double> members = new ArrayList<>();
        for (int i = 0; i < teacher.size(); i++) {
            Teacher m = Teacher.load(List.of(teacher.files().get(i)));
            members.add(TargetTrainer.accuracy(m.logits(test), test));
        }
        TeacherSummary ts = new TeacherSummary(teacher.size(), teacher.member(0).spec(), teacher.member(0).parameterCount(),
                TargetTrainer.accuracy(teacher.logits(test), test), TargetTrainer.accuracy(teacher.logits(validation), validation),
                members);
        log.accept(String.format(Locale.ROOT, "teacher: %d × %s, test accuracy %.2f %%", ts.members(), ts.architecture(), 100 * ts.testAccuracy()));
        return new Prepared(data, teacher, ts);
    }

    /** The study's cells in run order: budget by budget (smallest first), student by student, mimic then labels. */
    public static List<CellId> cells(Settings s) {
        List<CellId> ids = new ArrayList<>();
        for (long budget : s.budgets()) {
            for (StudentFamily f : s.students()) {
                for (CellId.Target t : CellId.Target.values()) {
                    if (t == CellId.Target.LABELS && !s.hardLabels()) continue;
                    ids.add(new CellId(f, budget, t));
                }
            }
        }
        return ids;
    }

    /**
     * Runs (or continues) the study in out. With teacherFiles null the teacher is trained with teacherSettings.
     * onCell hears each cell as soon as its file is written (or found done).
     */
    public static Outcome run(Dataset train, Dataset test, List<Path> teacherFiles, Teacher.Settings teacherSettings,
                              Settings s, Path out, Consumer<String> log, Consumer<CellRunner.Outcome> onCell)
            throws IOException {
        Prepared p = prepare(train, test, teacherFiles, teacherSettings, s, out, log);
        CellStore store = new CellStore(out);
        List<CellRunner.Outcome> done = new ArrayList<>();
        for (CellId id : cells(s)) {
            CellRunner.Outcome o = CellRunner.runIfNeeded(store, id, s.cell(), p.data(), log);
            done.add(o);
            onCell.accept(o);
        }
        report(train.name(), p.summary(), p.teacher(), p.data(), s, done, out);
        return new Outcome(p.summary(), done);
    }

    private static String pct(JsonObject r, String k) {
        return r != null && r.has(k) && Double.isFinite(r.get(k).getAsDouble())
                ? String.format(Locale.ROOT, "%.2f", 100 * r.get(k).getAsDouble()) : "–";
    }

    static void report(String dataset, TeacherSummary ts, Teacher teacher, StudyData data, Settings s,
                       List<CellRunner.Outcome> cells, Path out) throws IOException {
        Map<String, JsonObject> byId = new LinkedHashMap<>();
        for (CellRunner.Outcome o : cells) byId.put(o.id().id(), o.result());
        StringBuilder md = new StringBuilder();
        CellSettings c = s.cell();
        md.append(String.format(Locale.ROOT, "Test accuracy (%%) of %s students on %s (%d test images); each cell is the best of %d random-search "
                        + "trials by validation accuracy (%d validation images), %d epochs of Adam, batch %d, on a transfer set of %d images "
                        + "(%d + %d shifted copies, up to %d px). Mimic: %s on the teacher's logits. Seed %d.%n%n",
                s.hardLabels() ? "mimic / hard-label" : "mimic", dataset, data.test().size(), c.trials(), data.validation().size(),
                c.epochs(), c.batchSize(), data.transfer().size(), data.transfer().size() / (s.transferShifts() + 1), s.transferShifts(),
                s.maxShift(), c.softLoss().equals("kl") ? "KL at T = " + c.temperature() : "L2", c.seed()));
        md.append("| student |");
        for (long b : s.budgets()) md.append(" ").append(b).append(" params |");
        md.append("\n|---|");
        for (int i = 0; i < s.budgets().size(); i++) md.append("---:|");
        md.append("\n");
        md.append(String.format(Locale.ROOT, "| teacher (%d × %d params) |", ts.members(), ts.parameters()));
        for (int i = 0; i < s.budgets().size(); i++) md.append(String.format(Locale.ROOT, " %.2f |", 100 * ts.testAccuracy()));
        md.append("\n");
        for (StudentFamily f : s.students()) {
            md.append("| ").append(f.id()).append(" |");
            for (long b : s.budgets()) {
                JsonObject m = byId.get(new CellId(f, b, CellId.Target.MIMIC).id());
                md.append(" ").append(pct(m, "testAccuracy"));
                if (s.hardLabels()) md.append(" / ").append(pct(byId.get(new CellId(f, b, CellId.Target.LABELS).id()), "testAccuracy"));
                md.append(" |");
            }
            md.append("\n");
        }
        md.append("\nTeacher members' test accuracy: ");
        for (int i = 0; i < ts.memberTestAccuracy().size(); i++) {
            md.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f %%", 100 * ts.memberTestAccuracy().get(i)));
        }
        md.append(String.format(Locale.ROOT, "; ensemble validation accuracy %.2f %%.%n%n", 100 * ts.validationAccuracy()));
        md.append("| cell | architecture | parameters | lr | h/w | validation % | test % | seconds |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (CellRunner.Outcome o : cells) {
            JsonObject r = o.result();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %.0f |%n", o.id().id(),
                    r.has("architecture") ? r.get("architecture").getAsString() : "–",
                    r.has("parameters") ? r.get("parameters").getAsString() : "–",
                    r.has("learningRate") ? String.format(Locale.ROOT, "%.1e", r.get("learningRate").getAsDouble()) : "–",
                    r.has("ratio") ? String.format(Locale.ROOT, "%.2f", r.get("ratio").getAsDouble()) : "–",
                    pct(r, "validationAccuracy"), pct(r, "testAccuracy"),
                    r.getAsJsonObject("timing").get("seconds").getAsDouble()));
        }
        AtomicFiles.writeString(out.resolve("results.md"), md.toString());

        JsonObject all = new JsonObject();
        all.addProperty("dataset", dataset);
        all.add("settings", s.toJson());
        JsonObject t = new JsonObject();
        t.addProperty("key", teacher.key());
        t.addProperty("files", teacher.files().toString());
        t.addProperty("members", ts.members());
        t.addProperty("architecture", ts.architecture());
        t.addProperty("parameters", ts.parameters());
        t.addProperty("testAccuracy", ts.testAccuracy());
        t.addProperty("validationAccuracy", ts.validationAccuracy());
        JsonArray ma = new JsonArray();
        ts.memberTestAccuracy().forEach(ma::add);
        t.add("memberTestAccuracy", ma);
        all.add("teacher", t);
        JsonArray arr = new JsonArray();
        cells.forEach(o -> arr.add(o.result()));
        all.add("cells", arr);
        all.add("provenance", Provenance.base());
        AtomicFiles.writeString(out.resolve("results.json"),
                new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(all) + "\n");

        plots(dataset, ts.testAccuracy(), arr, out);
    }

    /**
     * accuracy-vs-parameters-TARGET.png for each target with results: one curve per student family (dashed for
     * fully-connected ones) and the teacher's accuracy.
     */
    static void plots(String dataset, double teacherAccuracy, JsonArray cells, Path out) throws IOException {
        for (CellId.Target target : CellId.Target.values()) {
            java.util.Map<String, List<double[]>> families = new java.util.LinkedHashMap<>();
            java.util.Map<String, Boolean> mlp = new java.util.HashMap<>();
            for (var e : cells) {
                JsonObject r = e.getAsJsonObject();
                if (!r.has("target") || !r.get("target").getAsString().equals(target.id())) continue;
                if (!r.has("testAccuracy") || !Double.isFinite(r.get("testAccuracy").getAsDouble())) continue;
                String f = r.get("family").getAsString();
                families.computeIfAbsent(f, k -> new ArrayList<>())
                        .add(new double[] {r.get("parameters").getAsDouble(), 100 * r.get("testAccuracy").getAsDouble()});
                mlp.put(f, r.get("kind").getAsString().equals("mlp"));
            }
            if (families.isEmpty()) continue;
            LinePlot plot = new LinePlot(dataset + ": students trained on " + (target == CellId.Target.MIMIC ? "the teacher's logits" : "hard labels"),
                    "parameters (log scale)", "test accuracy (%)", false).logX();
            double lo = Double.POSITIVE_INFINITY, hi = 0;
            for (var f : families.entrySet()) {
                List<double[]> pts = f.getValue();
                pts.sort(java.util.Comparator.comparingDouble(p -> p[0]));
                double[] x = pts.stream().mapToDouble(p -> p[0]).toArray(), y = pts.stream().mapToDouble(p -> p[1]).toArray();
                for (double v : x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
                plot.add(f.getKey(), x, y, mlp.get(f.getKey()));
            }
            plot.add("teacher", new double[] {lo, hi}, new double[] {100 * teacherAccuracy, 100 * teacherAccuracy}, true);
            plot.write(out.resolve("accuracy-vs-parameters-" + target.id() + ".png"));
        }
    }

    /** Redraws the plots of a finished study from DIR/results.json. */
    public static void replot(Path out) throws IOException {
        Path file = out.resolve("results.json");
        if (!java.nio.file.Files.exists(file)) throw new IllegalArgumentException("--replot needs " + file + " from a finished study");
        JsonObject j = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(file)).getAsJsonObject();
        plots(j.get("dataset").getAsString(), j.getAsJsonObject("teacher").get("testAccuracy").getAsDouble(),
                j.getAsJsonArray("cells"), out);
    }
}
