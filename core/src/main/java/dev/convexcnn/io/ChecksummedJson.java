package dev.convexcnn.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * JSON result files (run records, distillation cells, a comparison's compare.json) with a checksum: the object gets a
 * last key {@value #KEY} = "crc32:xxxxxxxx", the CRC-32 of the object's compact form without that key, as read back.
 * A changed digit, a removed key or a truncated file is then refused with the file's name instead of being read as
 * another value. Files written before the checksum existed are read with a note that they are not protected.
 */
public final class ChecksummedJson {
    public static final String KEY = "checksum";
    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

    private ChecksummedJson() {}

    /** The text to write: {@code o} (unchanged) as {@code gson} prints it, plus the checksum key. */
    public static String encode(JsonObject o, Gson gson) {
        JsonObject body = o.deepCopy();
        body.remove(KEY);
        // The checksum is of the object as a reader will parse it (so NaN, written bare, counts as a reader sees it).
        JsonObject reparsed = JsonParser.parseString(gson.toJson(body)).getAsJsonObject();
        body.addProperty(KEY, checksum(reparsed));
        return gson.toJson(body);
    }

    /**
     * Reads and checks a file written by {@link #encode}; {@code what} names the kind in messages ("run record").
     * The returned object has no checksum key.
     */
    public static JsonObject read(Path file, String what) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FileFormatException(file, "not a " + what + ": not UTF-8 text (damaged)");
        }
        return decode(file, text, what);
    }

    static JsonObject decode(Path file, String text, String what) throws FileFormatException {
        JsonElement e;
        try {
            e = JsonParser.parseString(text);
        } catch (JsonParseException | IllegalStateException | StackOverflowError ex) {
            throw new FileFormatException(file, "not a " + what + ": not valid JSON (truncated or damaged)");
        }
        if (e == null || !e.isJsonObject()) throw new FileFormatException(file, "not a " + what + ": not a JSON object");
        JsonObject o = e.getAsJsonObject();
        JsonElement stored = o.remove(KEY);
        if (stored == null && looksLikeChecksum(o)) {
            throw new FileFormatException(file, what + " checksum key is damaged");
        }
        if (stored == null) {
            Warnings.note(file + " has no checksum (written by an older version): its values are not protected against damage");
            return o;
        }
        String want = stored.isJsonPrimitive() ? stored.getAsString() : String.valueOf(stored);
        if (!want.equals(checksum(o))) {
            throw new FileFormatException(file, what + " checksum mismatch (the file is damaged or was edited)");
        }
        return o;
    }

    /** Whether the last entry holds a checksum under a damaged key. */
    private static boolean looksLikeChecksum(JsonObject o) {
        JsonElement last = null;
        for (var e : o.entrySet()) last = e.getValue();
        return last != null && last.isJsonPrimitive() && last.getAsString().matches("crc32:[0-9a-f]{8}");
    }

    private static String checksum(JsonObject body) {
        CRC32 crc = new CRC32();
        crc.update(COMPACT.toJson(body).getBytes(StandardCharsets.UTF_8));
        return String.format(Locale.ROOT, "crc32:%08x", crc.getValue());
    }
}
