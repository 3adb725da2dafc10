package dev.convexcnn.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.ModelFile;
import dev.convexcnn.nn.Architecture;
import dev.convexcnn.nn.Initializer;
import dev.convexcnn.nn.Layer;
import dev.convexcnn.nn.Linear;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Architecture tokens of the factorised layers, and model files that hold them. */
class LayerTokensTest {
    @TempDir Path dir;

    @Test
    void tokensParseToTheLayers() {
        List<Layer> l = Architecture.parse("cpconv8k3p1r4-tucker2conv8k3s2r4x2-tuckerconv8k3r0.25-ttconv8k3p1rsame-dwconvm2k3p1-gconv8g2k3");
        FactorisedConv2d cp = assertInstanceOf(FactorisedConv2d.class, l.get(0));
        assertEquals(Factorisation.CP, cp.kind());
        assertEquals(8, cp.filters());
        assertEquals(Factorisation.TUCKER2, ((FactorisedConv2d) l.get(1)).kind());
        assertEquals(Factorisation.TUCKER, ((FactorisedConv2d) l.get(2)).kind());
        assertEquals(Factorisation.TT, ((FactorisedConv2d) l.get(3)).kind());
        assertInstanceOf(DepthwiseConv2d.class, l.get(4));
        assertInstanceOf(GroupedConv2d.class, l.get(5));
        // Unbuilt, a layer names its rank as asked; built, the resolved ranks.
        assertEquals("tucker2conv8k3s2r4x2", l.get(1).spec());
        assertEquals("tuckerconv8k3r0.25", l.get(2).spec());
        l.get(1).build(new Shape(9, 9, 4));
        assertArrayEquals(new int[] {4, 2}, ((FactorisedConv2d) l.get(1)).ranks());
    }

    @Test
    void badTokensAreRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> Architecture.parse("cpconv8k3p1-relu-linear10"));
        assertTrue(e.getMessage().contains("cpconv8k3p1") && e.getMessage().contains("rank"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Architecture.parse("cpconv8k3rkr=4"));
        assertTrue(e.getMessage().contains("cpconv8k3rkr=4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Architecture.parse("foo3"));
        assertTrue(e.getMessage().contains("cpconvFkK"), "the error lists the extension tokens: " + e.getMessage());
    }

    @Test
    void modelFilesRoundTripFactorisedLayers() throws Exception {
        Shape in = new Shape(8, 8, 1);
        Sequential net = Sequential.of("conv4k3p1-relu-cpconv6k3p1r3-relu-tucker2conv6k3p1r0.5-relu-ttconv6k3p1r2x3x2-"
                + "tuckerconv6k3p1rsame-dwconvm2k3p1-gconv8g2k3p1-maxpool2-linear5", in, 5).initialize(Initializer.HE, 3);
        // The spec names resolved ranks, so the file rebuilds the same shapes.
        assertTrue(net.spec().contains("tucker2conv6k3p1r"), net.spec());
        assertTrue(!net.spec().contains("r0.5") && !net.spec().contains("rsame"), net.spec());
        Path f = dir.resolve("fact.cnn");
        ModelFile.save(f, net, Normalization.identity(1), new JsonObject());
        Sequential back = ModelFile.load(f).net();
        assertEquals(net.spec(), back.spec());
        assertEquals(net.parameterCount(), back.parameterCount());
        float[] x = new float[2 * in.size()];
        Random r = new Random(4);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] a = net.forward(x.clone(), 2).clone(), b = back.forward(x.clone(), 2);
        for (int i = 0; i < 10; i++) assertEquals(a[i], b[i], 0f, "output " + i);
    }

    @Test
    void blocksCannotBeStoredAndSaySo() {
        Shape in = new Shape(8, 8, 4);
        Sequential net = new Sequential(in, List.of(BlockDesign.parse("bottleneck:k=8,kr=2").layer(), new Linear(3)), 3)
                .initialize(Initializer.HE, 1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.save(dir.resolve("b.cnn"), net, Normalization.identity(4), new JsonObject()));
        assertTrue(e.getMessage().contains("cannot be stored"), e.getMessage());
    }
}
