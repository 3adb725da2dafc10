package dev.convexcnn.spark;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.convexcnn.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A cell that is one {@code convexcnn train} run: its settings are train's flags (name without the dashes →
 * value; "true"/"false" for a switch), and it leaves exactly the files a single-machine run with
 * {@code --summary-json <dir>/<id>.json -o <dir>/<id>.cnn} leaves, plus the run's console output in
 * {@code <id>.log}. The JSON is the result; it is written last, atomically, by train itself. An SGD cell cut off
 * half-way resumes from its checkpoint ({@code <id>.cnn.ckpt}) on the next sweep.
 */
public final class TrainCell implements SweepCell {
    private static final long serialVersionUID = 1L;
    private static final Set<String> RESERVED = Set.of("summary-json", "output", "o", "checkpoint", "resume", "help", "version");

    private final String id;
    private final TreeMap<String, String> settings;
    private final String dir;

    public TrainCell(String id, SortedMap<String, String> settings, Path dir) {
        if (!id.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("cell id '" + id + "' is not a safe file name");
        this.id = id;
        this.settings = new TreeMap<>(settings);
        this.dir = dir.toAbsolutePath().normalize().toString();
        dev.convexcnn.method.Methods.get(this.settings.getOrDefault("method", "sgd"));   // every method writes --summary-json
        for (String k : this.settings.keySet()) {
            if (RESERVED.contains(k)) throw new IllegalArgumentException("grid setting '" + k + "' is set by the sweep itself");
        }
        // Parse now, on the driver: a bad flag fails the sweep before any task starts.
        try {
            String[] args = arguments().toArray(new String[0]);
            Main.commandLine(args).parseArgs(args);
        } catch (picocli.CommandLine.ParameterException e) {
            throw new IllegalArgumentException("cell " + id + ": " + e.getMessage(), e);
        }
    }

    /** One cell per grid point, results in dir. */
    public static List<TrainCell> of(Grid grid, Path dir) {
        List<TrainCell> cells = new ArrayList<>();
        for (SortedMap<String, String> p : grid.points()) cells.add(new TrainCell(grid.id(p), p, dir));
        return cells;
    }

    @Override public String id() { return id; }
    @Override public SortedMap<String, String> settings() { return new TreeMap<>(settings); }
    @Override public Path resultPath() { return Path.of(dir, id + ".json"); }
    public Path modelPath() { return Path.of(dir, id + ".cnn"); }
    public Path logPath() { return Path.of(dir, id + ".log"); }

    /** Done when the summary is there and is a JSON object with the test accuracy (train writes it whole). */
    @Override
    public boolean isDone() {
        Path p = resultPath();
        if (!Files.isRegularFile(p)) return false;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(p));
            return e.isJsonObject() && (e.getAsJsonObject().has("testAccuracy") || e.getAsJsonObject().has("validationAccuracy"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The train command line this cell runs. */
    public List<String> arguments() {
        List<String> a = new ArrayList<>(List.of("train", "--summary-json", resultPath().toString(), "-o", modelPath().toString()));
        if (dev.convexcnn.method.Methods.get(settings.getOrDefault("method", "sgd")).resumable()) a.add("--resume");
        a.addAll(SweepCell.flags(settings));
        return a;
    }

    @Override
    public void run() throws Exception {
        Files.createDirectories(Path.of(dir));
        SweepCell.runCli(id, arguments(), logPath());
    }

    @Override public String toString() { return "TrainCell(" + id + ", " + settings + ")"; }
}
