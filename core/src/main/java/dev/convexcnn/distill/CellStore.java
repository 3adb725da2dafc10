package dev.convexcnn.distill;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.convexcnn.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where cell results live: one JSON file per cell, {@code <dir>/cells/<cell id>.json}, written atomically. A cell
 * is done when its file exists, parses, and was made with the same key (settings and data): a file from other
 * settings is not done and gets overwritten. Any runner that writes through this class writes the same files.
 */
public final class CellStore {
    private final Path dir;

    public CellStore(Path outDir) {
        this.dir = outDir.resolve("cells");
    }

    public Path dir() { return dir; }

    public Path resultFile(CellId id) { return dir.resolve(id.id() + ".json"); }

    /** Whether the cell's file holds a result made under this key. */
    public boolean isDone(CellId id, JsonObject key) {
        JsonObject r = read(id);
        return r != null && key.equals(r.get("key"));
    }

    /** The cell's JSON, or null when there is none or it does not parse. */
    public JsonObject read(CellId id) {
        Path f = resultFile(id);
        if (!Files.exists(f)) return null;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(f));
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (IOException | JsonParseException e) {
            return null;
        }
    }

    public void write(CellId id, JsonObject result) throws IOException {
        AtomicFiles.writeString(resultFile(id), new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(result) + "\n");
    }
}
