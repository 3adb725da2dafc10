package dev.convexcnn.spark;

import dev.convexcnn.cli.Main;
import dev.convexcnn.distill.CellId;
import dev.convexcnn.distill.StudentFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One (student family, budget) of a distillation study as a sweep cell: it runs {@code convexcnn distill} for that
 * student and budget alone, into the study's folder, so it leaves exactly the cell files a single-machine study
 * leaves ({@code <out>/cells/<family>-b<budget>-mimic.json} and {@code -labels.json}) and reuses the study's
 * teacher and logit cache. Done when those files are there; the distill command itself also skips finished cells
 * whose settings match, so a stale file from other settings is rerun, not trusted.
 */
public final class DistillCell implements SweepCell {
    private static final long serialVersionUID = 1L;
    private static final Set<String> RESERVED = Set.of("out", "budgets", "conv-layers", "mlp-layers", "help", "version");

    private final String family;
    private final long budget;
    private final TreeMap<String, String> settings;
    private final String dir;

    public DistillCell(String family, long budget, SortedMap<String, String> settings, Path dir) {
        StudentFamily.parse(family); // a bad family fails on the driver
        if (budget <= 0) throw new IllegalArgumentException("a parameter budget must be > 0, got " + budget);
        for (String k : settings.keySet()) {
            if (RESERVED.contains(k)) throw new IllegalArgumentException("distill setting '" + k + "' is set by the sweep itself");
        }
        this.family = family;
        this.budget = budget;
        this.settings = new TreeMap<>(settings);
        this.dir = dir.toAbsolutePath().normalize().toString();
        try {
            new picocli.CommandLine(new Main()).parseArgs(arguments().toArray(new String[0]));
        } catch (picocli.CommandLine.ParameterException e) {
            throw new IllegalArgumentException("cell " + id() + ": " + e.getMessage(), e);
        }
    }

    /** Every family × budget of a study, in the order given. */
    public static List<DistillCell> of(List<String> families, List<Long> budgets, SortedMap<String, String> settings, Path dir) {
        List<DistillCell> cells = new ArrayList<>();
        for (String f : families) for (long b : budgets) cells.add(new DistillCell(f, b, settings, dir));
        return cells;
    }

    /** The family names of --conv-layers and --mlp-layers values (a..b, a list, or none), as the distill command reads them. */
    public static List<String> families(String convLayers, String mlpLayers) {
        List<String> out = StudentFamily.of(convLayers, mlpLayers).stream().map(StudentFamily::id).toList();
        if (out.isEmpty()) throw new IllegalArgumentException("--conv-layers and --mlp-layers name no student");
        return out;
    }

    @Override public String id() { return family + "-b" + budget; }
    @Override public SortedMap<String, String> settings() { return new TreeMap<>(settings); }

    /** The mimic cell's file; the labels cell's sits beside it. */
    @Override public Path resultPath() { return cellFile(CellId.Target.MIMIC); }

    private Path cellFile(CellId.Target t) {
        return Path.of(dir, "cells", new CellId(StudentFamily.parse(family), budget, t).id() + ".json");
    }

    public Path logPath() { return Path.of(dir, "sweep-logs", id() + ".log"); }

    @Override
    public boolean isDone() {
        boolean labels = !"true".equals(settings.get("no-hard-labels"));
        return Files.isRegularFile(cellFile(CellId.Target.MIMIC)) && (!labels || Files.isRegularFile(cellFile(CellId.Target.LABELS)));
    }

    /** The distill command line this cell runs. */
    public List<String> arguments() {
        boolean conv = family.startsWith("conv");
        String k = family.substring(conv ? 4 : 3);
        List<String> a = new ArrayList<>(List.of("distill", "--out", dir, "--budgets", Long.toString(budget),
                "--conv-layers", conv ? k : "none", "--mlp-layers", conv ? "none" : k));
        a.addAll(SweepCell.flags(settings));
        return a;
    }

    @Override
    public void run() throws Exception {
        SweepCell.runCli(id(), arguments(), logPath());
    }

    /**
     * Runs a study's cells: the first one on the driver when it is not done (it trains or loads the teacher and
     * caches its logits once, so the tasks only read them), then the rest as Spark tasks; finished cells are skipped.
     */
    public static List<SparkSweep.Outcome> sweep(org.apache.spark.api.java.JavaSparkContext sc, List<DistillCell> cells) {
        if (!cells.isEmpty() && !cells.get(0).isDone()) SparkSweep.execute(cells.get(0));
        return SparkSweep.run(sc, cells);
    }

    @Override public String toString() { return "DistillCell(" + id() + ", " + settings + ")"; }
}
