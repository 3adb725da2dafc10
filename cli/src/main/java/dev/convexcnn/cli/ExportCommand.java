package dev.convexcnn.cli;

import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Datasets;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.io.PyTorchExport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export a CNN model file for PyTorch, with a file to check the predictions.",
                "For sgd, adam, convex-relu and alternation models: model.safetensors + model.json, and check.safetensors "
                        + "(test inputs with our logits). Check it with: /usr/bin/python3 bench/pytorch_roundtrip.py DIR"},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn export --model runs/fm.cnn --out runs/fm-torch",
                "  /usr/bin/python3 bench/pytorch_roundtrip.py runs/fm-torch"})
final class ExportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model file written by train or compare.")
    Path model;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;
    @Option(names = "--dataset", description = "Dataset whose test images go into the check file (default: the one the model was "
            + "trained on, from its provenance; mnist when it names none).")
    String dataset;
    @Option(names = "--check-samples", defaultValue = "256", description = "Test images in the check file; 0 for none (default: ${DEFAULT-VALUE}).")
    int checkSamples;
    @Option(names = "--no-fetch", description = "Fail instead of fetching a missing dataset.")
    boolean noFetch;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        if (checkSamples < 0) throw new IllegalArgumentException("--check-samples must be >= 0, got " + checkSamples);
        dev.convexcnn.model.ModelStore.Stored stored = dev.convexcnn.model.ModelStore.network(model, "exported to PyTorch");
        dev.convexcnn.model.NetworkModel nm = (dev.convexcnn.model.NetworkModel) stored.model();
        ModelFile.SavedModel m = new ModelFile.SavedModel(nm.net(), nm.normalization(), stored.provenance());
        Dataset test = checkSamples == 0 ? null : Datasets.test(Datasets.forModel(dataset, m.provenance(), err::println),
                new Datasets.Options(common.cache(), !noFetch, err::println));
        if (test != null && (test.height() != m.net().inputShape().height() || test.width() != m.net().inputShape().width()
                || test.channels() != m.net().inputShape().channels())) {
            throw new IllegalArgumentException(test.name() + " has " + test.height() + "x" + test.width() + "x" + test.channels()
                    + " images but " + model + " takes " + m.net().inputShape());
        }
        PyTorchExport.Written w;
        // Checked writable and locked before anything is written.
        try (var claim = dev.convexcnn.io.OutputClaim.claim(java.util.List.of(
                new dev.convexcnn.io.OutputClaim.Output("--out", out.resolve("model.safetensors")),
                new dev.convexcnn.io.OutputClaim.Output("--out", out.resolve("model.json")),
                new dev.convexcnn.io.OutputClaim.Output("--out", test == null ? null : out.resolve("check.safetensors"))), err::println)) {
            w = PyTorchExport.export(m.net(), m.normalization(), m.provenance(), out, test, checkSamples);
        }
        o.println("weights:      " + w.weights());
        o.println("architecture: " + w.architecture());
        if (w.check() != null) o.println("check:        " + w.check() + "  (run: /usr/bin/python3 bench/pytorch_roundtrip.py " + out + ")");
        o.flush();
        return 0;
    }
}
