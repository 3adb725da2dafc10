package dev.convexcnn.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.Gson;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;

/** Strict JSON parsing: Gson's default parser is lenient (unquoted strings, comments, NaN), which hides damage. */
public final class Json {
    private static final TypeAdapter<JsonElement> ADAPTER = new Gson().getAdapter(JsonElement.class);

    private Json() {}

    /** Gson's messages end in a line with a help link; the first line says what is wrong. */
    static String firstLine(String m) {
        if (m == null) return "malformed JSON";
        m = m.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON ", "");
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Parses one JSON value, strictly, and refuses anything after it. */
    public static JsonElement parseStrict(String text) {
        try {
            JsonReader r = new JsonReader(new StringReader(text));
            r.setStrictness(Strictness.STRICT);
            JsonElement e = ADAPTER.read(r);
            if (r.peek() != JsonToken.END_DOCUMENT) throw new JsonParseException("text follows the JSON value");
            return e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new JsonParseException(firstLine(e.getMessage()), e);
        } catch (StackOverflowError e) {
            throw new JsonParseException("nested too deeply");
        }
    }
}
