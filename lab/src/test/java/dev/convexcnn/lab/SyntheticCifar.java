package dev.convexcnn.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Writes CIFAR-10 binary batch files of an easy three-class problem: a bright stripe whose row band is the class. */
final class SyntheticCifar {
    private SyntheticCifar() {}

    static Path write(Path dir, int perTrainBatch, int test, long seed) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(seed);
        for (int k = 1; k <= 5; k++) Files.write(dir.resolve("data_batch_" + k + ".bin"), batch(perTrainBatch, r));
        Files.write(dir.resolve("test_batch.bin"), batch(test, r));
        return dir;
    }

    private static byte[] batch(int n, Random r) {
        byte[] b = new byte[n * 3073];
        for (int i = 0; i < n; i++) {
            int label = i % 3;
            int o = i * 3073;
            b[o] = (byte) label;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    boolean stripe = y >= 4 + 9 * label && y < 10 + 9 * label;
                    for (int x = 0; x < 32; x++) b[o + 1 + c * 1024 + y * 32 + x] = (byte) (stripe ? 170 + r.nextInt(80) : r.nextInt(90));
                }
            }
        }
        return b;
    }
}
