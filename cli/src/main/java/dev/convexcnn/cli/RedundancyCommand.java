package dev.convexcnn.cli;

import dev.convexcnn.compress.BlockDesign;
import dev.convexcnn.compress.FactorisedConv2d;
import dev.convexcnn.compress.Redundancy;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.nn.Conv2d;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "redundancy", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Parameters, compression ratio, complexity and K/R of a block design or a model's convs.",
                "K, R and the complexity follow our reading of Huang et al. (arXiv 2112.04857): see docs/compression.md."},
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn redundancy --block bottleneck:k=32,kr=4 --input 14x14x16",
                "  convexcnn redundancy --block tucker2:k=32,r=0.25 --input 14x14x16",
                "  convexcnn redundancy --model runs/fm.cnn"})
final class RedundancyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--block", paramLabel = "DESIGN",
                description = "A block design, e.g. bottleneck:k=32,kr=4 or cp:k=32,rank=8 (dense, cp, tucker2, tucker, tt, bottleneck, grouped, separable, residual, lowrank).")
        String block;
        @Option(names = "--model", paramLabel = "FILE", description = "A model file: every dense or factorised conv layer is reported.")
        Path model;
    }

    @Option(names = "--input", defaultValue = "14x14x16", paramLabel = "HxWxC",
            description = "Input shape of the block (default: ${DEFAULT-VALUE}).")
    String input;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CommonOptions.announceBackend(spec.commandLine().getErr());
        if (target.block != null) {
            out.print(Redundancy.of(BlockDesign.parse(target.block), parseShape(input)).describe());
        } else {
            Sequential net = ((dev.convexcnn.model.NetworkModel) dev.convexcnn.model.ModelStore.network(target.model, "measured for redundancy").model()).net();
            for (int i = 0; i < net.layers().size(); i++) {
                Layer l = net.layers().get(i);
                if (l instanceof Conv2d || l instanceof FactorisedConv2d) {
                    out.println("layer " + i + ": " + l.spec());
                    out.print(Redundancy.of(l, net.shapes().get(i)).describe());
                }
            }
        }
        out.flush();
        return 0;
    }

    static Shape parseShape(String s) {
        String[] p = s.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (p.length == 3) return new Shape(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("--input must be HxWxC with positive integers, e.g. 14x14x16, got '" + s + "'");
    }
}
