package dev.convexcnn.sgd;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.JsonFields;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to continue a run exactly: settings, the data's fingerprint, the normalisation, the
 * parameters, the optimiser's buffers and step count, and the log so far. Written atomically after each epoch.
 */
public record Checkpoint(TrainSettings settings, String dataFingerprint, int epochsDone, Normalization normalization,
                         Map<String, TensorFile.Tensor> parameters, Map<String, float[]> optimizerState,
                         long optimizerSteps, List<EpochRecord> log) {

    static final String OPTIMIZER_PREFIX = "optimizer/";

    public static Checkpoint capture(TrainSettings s, String fingerprint, int epochsDone, Normalization norm,
                                     Sequential net, Optimizer opt, List<EpochRecord> log) {
        Map<String, float[]> state = new LinkedHashMap<>();
        opt.state().forEach((k, v) -> state.put(k, v.clone()));
        return new Checkpoint(s, fingerprint, epochsDone, norm, ModelFile.parameterTensors(net), state,
                opt.steps(), List.copyOf(log));
    }

    public void write(Path path, Sequential net, JsonObject provenance) throws IOException {
        JsonObject meta = new JsonObject();
        meta.addProperty("kind", "checkpoint");
        meta.add("architecture", ModelFile.architectureJson(net));
        meta.add("normalization", normalization.toJson());
        meta.add("settings", settings.toJson());
        meta.addProperty("dataFingerprint", dataFingerprint);
        meta.addProperty("epochsDone", epochsDone);
        meta.addProperty("optimizerSteps", optimizerSteps);
        JsonArray l = new JsonArray();
        for (EpochRecord r : log) l.add(r.toJson());
        meta.add("log", l);
        meta.add("provenance", provenance);
        Map<String, TensorFile.Tensor> tensors = new LinkedHashMap<>(parameters);
        optimizerState.forEach((k, v) -> tensors.put(OPTIMIZER_PREFIX + k, new TensorFile.Tensor(new int[] {v.length}, v)));
        new TensorFile(meta, tensors).write(path);
    }

    public static Checkpoint read(Path path) throws IOException {
        TensorFile f = TensorFile.read(path);
        ModelFile.requireKind(path, f, "checkpoint", "a training checkpoint");
        JsonFields m = JsonFields.of(path, "the checkpoint header", f.meta());
        boolean strict = f.formatVersion() >= 2;
        Map<String, TensorFile.Tensor> params = new LinkedHashMap<>();
        Map<String, float[]> state = new LinkedHashMap<>();
        f.tensors().forEach((k, v) -> {
            if (k.startsWith(OPTIMIZER_PREFIX)) state.put(k.substring(OPTIMIZER_PREFIX.length()), v.values());
            else params.put(k, v);
        });
        List<EpochRecord> log = new ArrayList<>();
        TrainSettings settings;
        try {
            for (JsonFields e : m.objects("log")) {
                EpochRecord r = EpochRecord.fromJson(e.raw());
                if (strict && !r.toJson().equals(e.raw())) throw e.error("does not read back as written: " + e.raw());
                log.add(r);
            }
            JsonFields sj = m.obj("settings");
            settings = TrainSettings.fromJson(sj.raw());
            // Format 2 files hold every key the writer writes: a defaulted value would be a silently wrong one.
            if (strict && !settings.toJson().equals(sj.raw())) throw sj.error("does not read back as written: " + sj.raw());
        } catch (RuntimeException e) {
            throw new ModelFormatException(path, "damaged checkpoint header (" + e.getMessage() + ")");
        }
        int epochsDone = m.integer("epochsDone", 0, Integer.MAX_VALUE);
        if (log.size() != epochsDone) throw m.error("records " + log.size() + " epochs in its log but says " + epochsDone + " are done");
        if (epochsDone > settings.epochs()) throw m.error(epochsDone + " epochs done of the " + settings.epochs() + " its settings ask for");
        Normalization norm = ModelFile.normalization(m);
        return new Checkpoint(settings, m.str("dataFingerprint"), epochsDone, norm, params, state,
                m.whole("optimizerSteps", 0, Long.MAX_VALUE), log);
    }

    /** Copies the saved parameters into net. */
    public void restoreParameters(Sequential net, Path source) throws ModelFormatException {
        ModelFile.loadParameters(net, new TensorFile(new JsonObject(), parameters), source);
    }
}
