package dev.convexcnn.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.compress.Decompositions;
import dev.convexcnn.compress.Factorisation;
import dev.convexcnn.compress.FactorisedConv2d;
import dev.convexcnn.compress.RankSpec;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.io.Provenance;
import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Param;
import dev.convexcnn.nn.Sequential;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "compress", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Factorise the conv layers of a trained model (CP, Tucker-2, Tucker or tensor train).",
                "Each dense conv is replaced at the given rank (CP-ALS, HOOI, TT-SVD of the trained kernel; the bias is "
                        + "kept) and the new model saved. No retraining: evaluate the result with 'convexcnn eval'."},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn compress --model runs/fm.cnn --kind tucker2 --rank r=0.25 -o runs/fm-tucker2.cnn",
                "  convexcnn compress --model runs/fm.cnn --kind cp --rank 8 --layers 3 -o runs/fm-cp8.cnn",
                "  convexcnn eval --model runs/fm-tucker2.cnn"})
final class CompressCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model file with dense conv layers.")
    Path model;
    @Option(names = "--kind", required = true, description = "cp, tucker2, tucker or tt.")
    String kind;
    @Option(names = "--rank", required = true, paramLabel = "RANK",
            description = "8, rank=4x8 (per slot), r=0.25 / 25%% / 0.25 (largest rank within that share of the dense weights) or same.")
    String rank;
    @Option(names = "--layers", split = ",", paramLabel = "I",
            description = "Layer indices (0-based, as 'convexcnn redundancy --model' prints them); default: every dense conv with a kernel larger than 1x1.")
    List<Integer> layers;
    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Where the compressed model goes.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        CommonOptions.announceBackend(spec.commandLine().getErr());
        Factorisation f = Factorisation.parse(kind);
        RankSpec r = RankSpec.parse(rank);
        if (r instanceof RankSpec.KOverR) throw new IllegalArgumentException("--rank kr= is for block designs; use a rank or a fraction");
        dev.convexcnn.model.ModelStore.Stored stored = dev.convexcnn.model.ModelStore.network(model, "compressed");
        dev.convexcnn.model.NetworkModel nm = (dev.convexcnn.model.NetworkModel) stored.model();
        ModelFile.SavedModel saved = new ModelFile.SavedModel(nm.net(), nm.normalization(), stored.provenance());
        Sequential net = saved.net();
        List<Layer> src = new ArrayList<>(net.layers());
        List<Integer> targets = new ArrayList<>();
        for (int i = 0; i < src.size(); i++) {
            boolean wanted = layers == null ? src.get(i) instanceof Conv2d c && c.geometry().kernelH() > 1 : layers.contains(i);
            if (!wanted) continue;
            if (!(src.get(i) instanceof Conv2d)) {
                throw new IllegalArgumentException("--layers " + i + " is '" + src.get(i).spec() + "', not a dense conv layer");
            }
            targets.add(i);
        }
        if (layers != null) {
            for (int i : layers) if (i < 0 || i >= src.size()) throw new IllegalArgumentException("--layers " + i + " is out of range 0.." + (src.size() - 1));
        }
        if (targets.isEmpty()) throw new IllegalArgumentException(model + " has no dense conv layer to compress");
        JsonArray report = new JsonArray();
        for (int i : targets) {
            Conv2d dense = (Conv2d) src.get(i);
            FactorisedConv2d fc = FactorisedConv2d.fromDense(dense, net.shapes().get(i), f, r, Decompositions.Settings.defaults());
            double err = dev.convexcnn.compress.Decompositions.relativeError(toDouble(dense.params().get(0).value()), fc.denseKernel());
            o.printf(Locale.ROOT, "layer %d: %s -> %s, kernel weights %,d -> %,d, relative kernel error %.4f%n", i, dense.spec(),
                    fc.spec(), dense.params().get(0).size(), fc.kernelWeights(), err);
            JsonObject j = new JsonObject();
            j.addProperty("layer", i);
            j.addProperty("from", dense.spec());
            j.addProperty("to", fc.spec());
            j.addProperty("relativeKernelError", err);
            report.add(j);
            src.set(i, fc);
        }
        // Rebuild from the new spec (fresh layers), then copy every layer's parameters across.
        Sequential compressed = Sequential.of(specOf(src), net.inputShape(), net.outputs());
        for (int i = 0; i < src.size(); i++) {
            List<Param> from = src.get(i).params(), to = compressed.layers().get(i).params();
            for (int p = 0; p < from.size(); p++) System.arraycopy(from.get(p).value(), 0, to.get(p).value(), 0, from.get(p).size());
        }
        JsonObject prov = Provenance.base();
        prov.addProperty("method", "compress");
        prov.addProperty("source", model.toString());
        prov.addProperty("kind", f.id());
        prov.addProperty("rank", r.toString());
        prov.add("layers", report);
        if (saved.provenance() != null) prov.add("sourceProvenance", saved.provenance());
        ModelFile.save(out, compressed, saved.normalization(), prov);
        o.printf(Locale.ROOT, "parameters %,d -> %,d; written: %s%n", net.parameterCount(), compressed.parameterCount(), out);
        o.flush();
        return 0;
    }

    private static String specOf(List<Layer> layers) {
        StringBuilder b = new StringBuilder();
        for (Layer l : layers) b.append(b.length() > 0 ? "-" : "").append(l.spec());
        return b.toString();
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
