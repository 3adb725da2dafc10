package dev.convexcnn.io;

import com.google.gson.JsonObject;
import dev.convexcnn.linalg.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Properties;

/** Where a result came from: the library version, the backend, the JVM, and when. */
public final class Provenance {
    private static final String VERSION = loadVersion();

    private Provenance() {}

    public static String version() { return VERSION; }

    private static String loadVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/dev/convexcnn/version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The fields every saved result carries; callers add their settings, seed and data. */
    public static JsonObject base() {
        JsonObject o = new JsonObject();
        o.addProperty("convexcnnVersion", VERSION);
        o.addProperty("backend", Backend.get().kind());
        o.addProperty("backendDetail", Backend.get().description());
        o.addProperty("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        o.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        o.addProperty("cpus", Runtime.getRuntime().availableProcessors());
        o.addProperty("created", Instant.now().toString());
        return o;
    }
}
