package dev.convexcnn.distill;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.ChecksummedJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where cell results live: one JSON file per cell, {@code <dir>/cells/<cell id>.json}, written atomically. A cell
 * is done when its file exists, parses, passes its checksum, and was made with the same key (settings and data): a file
 * from other settings, or a damaged one, is not done and gets overwritten. Any runner that writes through this class writes the same files.
 */
public final class CellStore {
    private final Path dir;

    public CellStore(Path outDir) {
        this.dir = outDir.resolve("cells");
    }

    public Path dir() { return dir; }

    public Path resultFile(CellId id) { return dir.resolve(id.id() + ".json"); }

    /** Whether the cell's file holds a result made under this key (a damaged file holds none). */
    public boolean isDone(CellId id, JsonObject key) {
        try {
            JsonObject r = read(id);
            return r != null && key.equals(r.get("key"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The cell's JSON, or null when there is none.
     *
     * @throws dev.convexcnn.io.FileFormatException when the file is damaged (it does not parse, or its checksum does
     *     not match): the caller says so and runs the cell again
     */
    public JsonObject read(CellId id) throws IOException {
        Path f = resultFile(id);
        if (!Files.exists(f)) return null;
        return ChecksummedJson.read(f, "distillation cell result");
    }

    public void write(CellId id, JsonObject result) throws IOException {
        AtomicFiles.writeString(resultFile(id), ChecksummedJson.encode(result, GSON) + "\n");
    }

    private static final com.google.gson.Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
}
