package dev.convexcnn.spark;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convexcnn.convex.RFista;
import dev.convexcnn.io.AtomicFiles;
import dev.convexcnn.io.TensorFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The distributed R-FISTA's state on disk (iterate, extrapolated point, momentum, step, iteration, objective and
 * certificate), written atomically, so a solve whose driver died continues where it was. The file names the
 * problem it belongs to (settings, data, λ, patterns kept, size): a checkpoint of another problem is refused, not
 * silently continued. Layout: a magic line, the header JSON (length-prefixed), x and y as doubles, then a CRC-32
 * of everything before it.
 */
final class SolverCheckpoint {
    static final String MAGIC = "convexcnn-rfista-checkpoint 1\n";

    private SolverCheckpoint() {}

    static void write(Path path, JsonObject problem, RFista.State s) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(16 * s.x().length + 4096);
        DataOutputStream out = new DataOutputStream(buf);
        out.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
        JsonObject h = new JsonObject();
        h.add("problem", problem);
        h.addProperty("iteration", s.iteration());
        h.addProperty("t", s.t());
        h.addProperty("step", s.step());
        h.addProperty("objective", s.objective());
        h.addProperty("certificate", s.certificate());
        h.addProperty("dimension", s.x().length);
        byte[] json = TensorFile.toJson(h).getBytes(StandardCharsets.UTF_8);
        out.writeInt(json.length);
        out.write(json);
        for (double v : s.x()) out.writeDouble(v);
        for (double v : s.y()) out.writeDouble(v);
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(buf.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();
        byte[] bytes = buf.toByteArray();
        AtomicFiles.write(path, o -> o.write(bytes));
    }

    /**
     * The state saved at path, or null when there is no file. Throws when the file is damaged or belongs to
     * another problem, saying which and what to do.
     */
    static RFista.State read(Path path, JsonObject problem) throws IOException {
        if (!Files.exists(path)) return null;
        if (!Files.isRegularFile(path)) throw new IOException("--checkpoint " + path + " is not a file");
        byte[] all = Files.readAllBytes(path);
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        if (all.length < magic.length + 12 || !new String(all, 0, magic.length, StandardCharsets.US_ASCII).equals(MAGIC)) {
            throw new IOException("--checkpoint " + path + " is not a solver checkpoint of convexcnn-spark solve");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(all));
        in.skipNBytes(all.length - 8);
        if (in.readLong() != crc.getValue()) {
            throw new IOException("--checkpoint " + path + " is damaged (checksum mismatch); delete it to start the solve over");
        }
        in = new DataInputStream(new ByteArrayInputStream(all, magic.length, all.length - magic.length - 8));
        int len = in.readInt();
        JsonObject h = JsonParser.parseString(new String(in.readNBytes(len), StandardCharsets.UTF_8)).getAsJsonObject();
        if (!h.get("problem").equals(problem)) {
            throw new IOException("--checkpoint " + path + " belongs to another solve (settings, data or patterns differ: it has "
                    + TensorFile.toJson(h.get("problem").getAsJsonObject()).replaceAll("\\s+", " ") + "); delete it or name another file");
        }
        int d = h.get("dimension").getAsInt();
        double[] x = new double[d], y = new double[d];
        for (int i = 0; i < d; i++) x[i] = in.readDouble();
        for (int i = 0; i < d; i++) y[i] = in.readDouble();
        return new RFista.State(h.get("iteration").getAsInt(), x, y, h.get("t").getAsDouble(), h.get("step").getAsDouble(),
                h.get("objective").getAsDouble(), h.get("certificate").getAsDouble());
    }
}
