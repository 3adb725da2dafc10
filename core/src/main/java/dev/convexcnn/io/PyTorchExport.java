package dev.convexcnn.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.nn.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exports a network for PyTorch: DIR/model.safetensors (the parameters, already in PyTorch's layouts: conv
 * F×C×kH×kW, linear out×in, flatten in (channel, height, width) order) and DIR/model.json (the architecture string,
 * input shape, classes and normalisation, which bench/pytorch_roundtrip.py turns into a torch.nn.Sequential).
 * Optionally DIR/check.safetensors: some inputs (N×H×W×C, raw [0,1] pixels) and our logits for them, so the
 * round trip can be checked.
 */
public final class PyTorchExport {
    private PyTorchExport() {}

    public record Written(Path weights, Path architecture, Path check) {}

    public static Written export(Sequential net, Normalization norm, JsonObject provenance, Path dir, Dataset checkData, int checkSamples) throws IOException {
        Files.createDirectories(dir);
        Map<String, TensorFile.Tensor> params = ModelFile.parameterTensors(net);
        Path weights = dir.resolve("model.safetensors");
        Safetensors.write(weights, params, Map.of("format", "pt", "producer", "convexcnn " + Provenance.version(), "spec", net.spec()));

        JsonObject a = ModelFile.architectureJson(net);
        a.addProperty("format", "convexcnn-pytorch-export-1");
        a.addProperty("tokens", "convFkK[sS][pP] = Conv2d(C, F, K, stride S, padding P); relu; maxpoolK[sS]/avgpoolK[sS] = "
                + "MaxPool2d/AvgPool2d(K, stride S, default K); flatten; linearN = Linear(in, N), flattening (C,H,W) first");
        JsonArray names = new JsonArray();
        params.keySet().forEach(names::add);
        a.add("tensors", names);
        a.add("normalization", norm.toJson());
        a.addProperty("normalizationRule", "x = (pixel in [0,1] - mean[c]) / std[c], per channel c");
        a.add("provenance", provenance);
        Path arch = dir.resolve("model.json");
        AtomicFiles.writeString(arch, TensorFile.toJson(a) + "\n");

        Path check = null;
        if (checkData != null && checkSamples > 0) {
            int n = Math.min(checkSamples, checkData.size());
            Dataset d = checkData.head(n);
            float[] pixels = d.pixels().clone();
            float[] x = new float[pixels.length];
            norm.apply(pixels, 0, x, 0, pixels.length, d.channels());
            float[] logits = net.forward(x, n).clone();
            Map<String, TensorFile.Tensor> t = new LinkedHashMap<>();
            t.put("inputs", new TensorFile.Tensor(new int[] {n, d.height(), d.width(), d.channels()}, pixels));
            t.put("logits", new TensorFile.Tensor(new int[] {n, net.outputs()}, logits));
            check = dir.resolve("check.safetensors");
            Safetensors.write(check, t, Map.of("dataset", d.name()));
        }
        return new Written(weights, arch, check);
    }
}
