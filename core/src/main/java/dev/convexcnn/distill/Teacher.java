package dev.convexcnn.distill;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import dev.convexcnn.sgd.SgdTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * A teacher: one saved CNN or an ensemble of them, whose logits are the mean of the members' logits. Its key is
 * a hash of the model files' bytes, so cached logits are never taken from another teacher.
 */
public final class Teacher {
    private final List<Path> files;
    private final List<ModelFile.SavedModel> members;
    private final String key;

    private Teacher(List<Path> files, List<ModelFile.SavedModel> members, String key) {
        this.files = List.copyOf(files);
        this.members = List.copyOf(members);
        this.key = key;
    }

    /**
     * How to train a teacher ensemble: each member has the same architecture (without its output layer, which is
     * added for the data's classes) and settings, member i using seed + i.
     */
    public record Settings(String architectureBody, int models, int epochs, double learningRate, int batchSize,
                           int maxShift, long seed) {
        /** Three conv blocks and a hidden layer: deeper than any student, and cheap enough for 2 cores. */
        public static final String DEFAULT_BODY =
                "conv32k3p1-relu-maxpool2-conv64k3p1-relu-maxpool2-conv64k3p1-relu-maxpool2-linear128-relu";

        public Settings {
            if (models <= 0) throw new IllegalArgumentException("a teacher needs at least one model, got " + models);
            new TargetTrainer.FitSettings(learningRate, epochs, batchSize, seed, maxShift);
        }

        public String architecture(int classes) { return architectureBody + "-linear" + classes; }

        JsonObject toJson(int member) {
            JsonObject o = new JsonObject();
            o.addProperty("architecture", architectureBody);
            o.addProperty("member", member);
            o.addProperty("epochs", epochs);
            o.addProperty("learningRate", learningRate);
            o.addProperty("batchSize", batchSize);
            o.addProperty("maxShift", maxShift);
            o.addProperty("seed", seed + member);
            o.addProperty("optimizer", "adam");
            return o;
        }
    }

    /** Loads saved models (one, or several for an ensemble). */
    public static Teacher load(List<Path> files) throws IOException {
        files = List.copyOf(files);
        if (files.isEmpty()) throw new IllegalArgumentException("a teacher needs at least one model file");
        List<ModelFile.SavedModel> m = new ArrayList<>();
        for (Path f : files) m.add(ModelFile.load(f));
        for (ModelFile.SavedModel s : m) {
            if (s.net().outputs() != m.get(0).net().outputs() || !s.net().inputShape().equals(m.get(0).net().inputShape())) {
                throw new IllegalArgumentException("the teacher's model files disagree on input shape or classes: " + files);
            }
        }
        return new Teacher(files, m, hash(m));
    }

    /**
     * Trains the ensemble on train, member by member, into dir/teacher-&lt;i&gt;.model; a member whose file already
     * holds these settings for this data is loaded instead, so a stopped study does not train it again.
     */
    public static Teacher trainOrLoad(Settings s, Dataset train, Path dir, Consumer<String> log) throws IOException {
        String fingerprint = SgdTrainer.fingerprint(train);
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= s.models(); i++) {
            Path f = dir.resolve("teacher-" + i + ".model");
            files.add(f);
            JsonObject want = s.toJson(i);
            if (Files.exists(f)) {
                JsonObject p = ModelFile.load(f).provenance();
                if (want.equals(p.get("teacherSettings")) && p.has("data")
                        && fingerprint.equals(p.getAsJsonObject("data").get("trainFingerprint").getAsString())) {
                    log.accept("teacher " + i + "/" + s.models() + ": done before, loaded from " + f);
                    continue;
                }
                log.accept("teacher " + i + ": " + f + " holds other settings or data; training it again");
            }
            Sequential net = Sequential.of(s.architecture(train.classes()), new Shape(train.height(), train.width(), train.channels()),
                    train.classes()).initialize(Initializer.HE, s.seed() + i);
            Normalization norm = Normalization.fit(train);
            log.accept("teacher " + i + "/" + s.models() + ": " + net.spec() + " (" + net.parameterCount() + " parameters), "
                    + s.epochs() + " epochs on " + train.size() + " images shifted up to " + s.maxShift() + " px");
            TargetTrainer.Fit fit = TargetTrainer.fit(net, train, null, null, norm,
                    new TargetTrainer.FitSettings(s.learningRate(), s.epochs(), s.batchSize(), s.seed() + i, s.maxShift()), log);
            if (fit.diverged()) throw new ArithmeticException("teacher " + i + " diverged at learning rate " + s.learningRate() + ": lower it");
            JsonObject p = Provenance.base();
            p.addProperty("method", "distill-teacher");
            p.add("teacherSettings", want);
            JsonObject d = new JsonObject();
            d.addProperty("train", train.name());
            d.addProperty("trainSize", train.size());
            d.addProperty("trainFingerprint", fingerprint);
            p.add("data", d);
            p.addProperty("finalTrainLoss", fit.finalLoss());
            p.addProperty("seconds", fit.seconds());
            ModelFile.save(f, net, norm, p);
            log.accept(String.format(java.util.Locale.ROOT, "teacher %d: loss %.4f, %.1f s, saved to %s", i, fit.finalLoss(), fit.seconds(), f));
        }
        return load(files);
    }

    public List<Path> files() { return files; }
    public int size() { return members.size(); }
    public String key() { return key; }
    public Sequential member(int i) { return members.get(i).net(); }

    /** The mean of the members' logits on every sample of d. */
    public float[] logits(Dataset d) {
        Shape in = members.get(0).net().inputShape();
        if (in.height() != d.height() || in.width() != d.width() || in.channels() != d.channels()) {
            throw new IllegalArgumentException("the teacher takes " + in + " images, " + d.name() + " has "
                    + d.height() + "x" + d.width() + "x" + d.channels());
        }
        if (members.get(0).net().outputs() != d.classes()) {
            throw new IllegalArgumentException("the teacher has " + members.get(0).net().outputs() + " classes, "
                    + d.name() + " has " + d.classes());
        }
        float[] sum = null;
        for (ModelFile.SavedModel m : members) {
            float[] z = TargetTrainer.logits(m.net(), m.normalization(), d);
            if (sum == null) sum = z;
            else for (int i = 0; i < z.length; i++) sum[i] += z[i];
        }
        float inv = 1f / members.size();
        for (int i = 0; i < sum.length; i++) sum[i] *= inv;
        return sum;
    }

    /** A hash of what the logits depend on (architecture, normalisation, weights), not of timestamps in the files. */
    private static String hash(List<ModelFile.SavedModel> members) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (ModelFile.SavedModel m : members) {
                md.update(ModelFile.architectureJson(m.net()).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(m.normalization().toJson().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4);
                for (float v : m.net().flatParameters()) {
                    b.clear();
                    md.update(b.putFloat(v).array());
                }
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
