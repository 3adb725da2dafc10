package dev.convexcnn.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Normalization;
import dev.convexcnn.io.ModelFormatException;
import dev.convexcnn.io.TensorFile;
import dev.convexcnn.nn.Sequential;
import dev.convexcnn.nn.Shape;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A header whose architecture lost a key (an old, unchecksummed file edited by hand) names the key and the file. */
class NetworkCodecTest {
    @Test
    void aRenamedArchitectureKeyIsNamedNotANullPointer() {
        NetworkCodec codec = new NetworkCodec();
        Sequential net = Sequential.of("conv4k3-relu-avgpool6-linear3", new Shape(8, 8, 1), 3);
        TensorFile f = codec.encode(new NetworkModel(net, Normalization.identity(1)));
        JsonObject arch = f.meta().getAsJsonObject("architecture");
        arch.add("klasses", arch.remove("classes"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> codec.decode(f, Path.of("v1-renamed.cnn")));
        assertTrue(e.getMessage().contains("v1-renamed.cnn") && e.getMessage().contains("\"classes\""), e.getMessage());
        assertTrue(!e.getMessage().contains("Cannot invoke"), e.getMessage());
    }
}
