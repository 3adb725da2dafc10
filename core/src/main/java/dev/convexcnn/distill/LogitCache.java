package dev.convexcnn.distill;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.sgd.SgdTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The teacher's logits on the transfer set, computed once and kept in a tensor file (written atomically) whose
 * name and header carry the teacher's key and the transfer set's fingerprint.
 */
public final class LogitCache {
    private LogitCache() {}

    public static Path file(Path dir, Teacher t, Dataset transfer) {
        String fp = SgdTrainer.fingerprint(transfer);
        return dir.resolve("teacher-logits-" + t.key() + "-" + fp.substring(fp.indexOf(':') + 1) + ".tensors");
    }

    public static float[] logits(Teacher t, Dataset transfer, Path dir, Consumer<String> log) throws IOException {
        Path f = file(dir, t, transfer);
        String fp = SgdTrainer.fingerprint(transfer);
        if (Files.exists(f)) {
            try {
                TensorFile tf = TensorFile.read(f);
                JsonObject m = tf.meta();
                TensorFile.Tensor z = tf.tensor("logits", f);
                if (m != null && t.key().equals(str(m, "teacherKey")) && fp.equals(str(m, "transferFingerprint"))
                        && z.values().length == transfer.size() * transfer.classes()) {
                    log.accept("teacher logits: cached in " + f);
                    return z.values();
                }
                log.accept("teacher logits: " + f + " is for another teacher or transfer set; computing again");
            } catch (dev.convexcnn.io.FileFormatException e) {
                // A cache: a damaged copy is computed again, and said so.
                log.accept("teacher logits: " + e.getMessage() + "; computing again");
            }
        }
        long t0 = System.nanoTime();
        float[] z = t.logits(transfer);
        JsonObject m = new JsonObject();
        m.addProperty("kind", "teacher-logits");
        m.addProperty("teacherKey", t.key());
        m.addProperty("teacherFiles", t.files().toString());
        m.addProperty("transfer", transfer.name());
        m.addProperty("transferFingerprint", fp);
        new TensorFile(m, Map.of("logits", new TensorFile.Tensor(new int[] {transfer.size(), transfer.classes()}, z))).write(f);
        log.accept(String.format(java.util.Locale.ROOT, "teacher logits: %d × %d in %.1f s, cached in %s", transfer.size(),
                transfer.classes(), (System.nanoTime() - t0) / 1e9, f));
        return z;
    }

    private static String str(JsonObject o, String k) {
        return o.has(k) && o.get(k).isJsonPrimitive() ? o.get(k).getAsString() : null;
    }
}
