package dev.convexcnn.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Conv filters as one PNG: a grid of tiles, each filter scaled by its own largest magnitude, so that mid-grey is 0,
 * white positive, black negative (one channel), or colour for three channels.
 */
public final class FilterImage {
    private FilterImage() {}

    public static BufferedImage render(RunRecord.Filters f) {
        int cols = (int) Math.ceil(Math.sqrt(f.count()));
        int rows = (f.count() + cols - 1) / cols;
        int scale = Math.max(4, 48 / Math.max(f.height(), f.width()));
        int gap = 2;
        int tileW = f.width() * scale, tileH = f.height() * scale;
        BufferedImage img = new BufferedImage(cols * (tileW + gap) + gap, rows * (tileH + gap) + gap, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, 0xFFFFFF);
        int area = f.height() * f.width();
        boolean colour = f.channels() == 3;
        for (int k = 0; k < f.count(); k++) {
            int base = k * f.channels() * area;
            float max = 1e-12f;
            for (int i = 0; i < f.channels() * area; i++) max = Math.max(max, Math.abs(f.values()[base + i]));
            int ox = gap + (k % cols) * (tileW + gap), oy = gap + (k / cols) * (tileH + gap);
            for (int h = 0; h < f.height(); h++) {
                for (int w = 0; w < f.width(); w++) {
                    int rgb;
                    if (colour) {
                        int r = grey(f.values()[base + h * f.width() + w], max);
                        int g = grey(f.values()[base + area + h * f.width() + w], max);
                        int b = grey(f.values()[base + 2 * area + h * f.width() + w], max);
                        rgb = (r << 16) | (g << 8) | b;
                    } else {
                        float mean = 0;
                        for (int c = 0; c < f.channels(); c++) mean += f.values()[base + c * area + h * f.width() + w];
                        int v = grey(mean / f.channels(), max);
                        rgb = (v << 16) | (v << 8) | v;
                    }
                    for (int dy = 0; dy < scale; dy++) for (int dx = 0; dx < scale; dx++) img.setRGB(ox + w * scale + dx, oy + h * scale + dy, rgb);
                }
            }
        }
        return img;
    }

    private static int grey(float v, float max) {
        return Math.max(0, Math.min(255, Math.round(127.5f + 127.5f * v / max)));
    }

    /** Writes the grid to a PNG through a temporary file and a rename. */
    public static void write(RunRecord.Filters f, Path path) throws IOException {
        System.setProperty("java.awt.headless", "true");
        // Atomic, with the umask's mode; a failure names the PNG and its cause.
        dev.convexcnn.io.AtomicFiles.write(path, out -> {
            if (!ImageIO.write(render(f), "png", out)) throw new IOException("no PNG writer");
        });
    }
}
