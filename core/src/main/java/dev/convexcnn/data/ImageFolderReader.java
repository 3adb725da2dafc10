package dev.convexcnn.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads a folder of images with one subfolder per class ({@code DIR/cat/001.png}, {@code DIR/dog/…}), PNG or JPEG
 * through {@code javax.imageio}. Every image must have the same width and height. The images are grey (one
 * channel) when every one of them is stored grey, else RGB (grey ones repeated into three channels, alpha
 * dropped); 8 bits per channel, divided by 255.
 *
 * <p>Classes are the subfolder names in order (numeric order when every name is a whole number, so folders
 * {@code 0} … {@code 9} get labels 0 … 9; otherwise by name). Files in a class are taken in name order, and the
 * classes are interleaved (the first image of every class, then the second, …) so that the first n samples
 * ({@code --limit}) hold every class. Hidden files and files that are not .png, .jpg or .jpeg are skipped.
 */
public final class ImageFolderReader {
    private ImageFolderReader() {}

    /** The class names of one or more image folders together, in label order. */
    public static List<String> classNames(List<Path> dirs) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        for (Path d : dirs) names.addAll(subfolders(d));
        List<String> out = new ArrayList<>(names);
        if (out.stream().allMatch(s -> s.matches("\\d{1,9}"))) {
            out.sort(Comparator.comparingInt(Integer::parseInt));
        }
        return List.copyOf(out);
    }

    /**
     * Reads every image under {@code dir}.
     *
     * @param classes the label order ({@link #classNames}); every subfolder of dir must be one of them
     * @param log receives one line: the images read, the classes and the files skipped
     * @throws DataFormatException naming the folder or file: not a folder, no class subfolders, a class without
     *     images, an image ImageIO cannot read, an image whose size differs from the first
     */
    public static Dataset read(Path dir, List<String> classes, String name, Consumer<String> log) throws IOException {
        List<String> here = subfolders(dir);
        List<List<Path>> files = new ArrayList<>();
        int skipped = 0;
        for (String c : classes) {
            if (!here.contains(c)) {
                files.add(List.of());
                continue;
            }
            Path cd = dir.resolve(c);
            List<Path> all;
            try (Stream<Path> s = Files.list(cd)) {
                all = s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
            }
            List<Path> images = all.stream().filter(p -> Files.isRegularFile(p) && isImageName(p)).toList();
            skipped += all.size() - images.size();
            if (images.isEmpty()) {
                throw new DataFormatException(cd, "class folder holds no .png, .jpg or .jpeg image");
            }
            files.add(images);
        }
        for (String h : here) {
            if (!classes.contains(h)) throw new IllegalArgumentException(dir.resolve(h) + ": not one of the classes " + classes);
        }
        // Interleave the classes: the k-th image of every class before the (k+1)-th of any.
        List<Path> order = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int longest = files.stream().mapToInt(List::size).max().orElse(0);
        for (int k = 0; k < longest; k++) {
            for (int c = 0; c < files.size(); c++) {
                if (k < files.get(c).size()) {
                    order.add(files.get(c).get(k));
                    labels.add(c);
                }
            }
        }
        int n = order.size();
        byte[][] pixels = new byte[n][];
        int[][] sizes = new int[n][];
        try {
            IntStream.range(0, n).parallel().forEach(i -> {
                try {
                    Decoded d = decode(order.get(i));
                    pixels[i] = d.bytes();
                    sizes[i] = new int[] {d.height(), d.width(), d.channels()};
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        int height = sizes[0][0];
        int width = sizes[0][1];
        int channels = 1;
        for (int i = 0; i < n; i++) {
            if (sizes[i][0] != height || sizes[i][1] != width) {
                throw new DataFormatException(order.get(i), "is " + sizes[i][1] + "×" + sizes[i][0] + " pixels but "
                        + order.get(0) + " is " + width + "×" + height + "; every image must have the same size");
            }
            channels = Math.max(channels, sizes[i][2]);
        }
        int features = height * width * channels;
        if ((long) n * features > Integer.MAX_VALUE - 8) {
            throw new DataFormatException(dir, n + " images of " + width + "×" + height + "×" + channels
                    + " do not fit in one Java array");
        }
        float[] px = new float[n * features];
        float[] table = DataFiles.BYTE_TO_UNIT;
        for (int i = 0; i < n; i++) {
            byte[] b = pixels[i];
            int base = i * features;
            if (sizes[i][2] == channels) {
                for (int j = 0; j < features; j++) px[base + j] = table[b[j] & 0xff];
            } else {
                for (int p = 0; p < height * width; p++) {
                    float v = table[b[p] & 0xff];
                    px[base + 3 * p] = v;
                    px[base + 3 * p + 1] = v;
                    px[base + 3 * p + 2] = v;
                }
            }
            pixels[i] = null;
        }
        int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
        log.accept(dir + ": " + n + " images of " + width + "×" + height + (channels == 1 ? " grey" : " RGB") + " in "
                + here.size() + " class folders" + (skipped > 0 ? " (" + skipped + " other files skipped)" : "")
                + "; labels " + labelList(classes));
        return new Dataset(name, height, width, channels, classes.size(), px, y);
    }

    private static String labelList(List<String> classes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < classes.size(); i++) {
            if (i == 12 && classes.size() > 14) {
                b.append(", … ").append(classes.size() - 1).append('=').append(classes.get(classes.size() - 1));
                break;
            }
            b.append(i > 0 ? ", " : "").append(i).append('=').append(classes.get(i));
        }
        return b.toString();
    }

    private static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    private static List<String> subfolders(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new DataFormatException(dir, "image folder not found (expected a folder with one subfolder of"
                    + " .png/.jpg images per class)");
        }
        List<String> names;
        try (Stream<Path> s = Files.list(dir)) {
            names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        }
        if (names.isEmpty()) {
            throw new DataFormatException(dir, "has no class subfolders (expected one subfolder of .png/.jpg images"
                    + " per class, e.g. " + dir.resolve("0") + ", " + dir.resolve("1") + ")");
        }
        return names;
    }

    /** One image as bytes, row-major, channels last, 1 or 3 channels. */
    private record Decoded(int height, int width, int channels, byte[] bytes) {}

    private static Decoded decode(Path file) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(file, "cannot be read as an image (" + e.getMessage() + ")", e);
        }
        if (img == null) throw new DataFormatException(file, "is not a PNG or JPEG image that javax.imageio can read");
        int w = img.getWidth();
        int h = img.getHeight();
        var cm = img.getColorModel();
        if (cm.getNumColorComponents() == 1 && !(cm instanceof IndexColorModel)) {
            // Grey: the raw samples (getRGB would apply a gamma curve to linear grey).
            Raster r = img.getRaster();
            int bits = cm.getComponentSize(0);
            byte[] out = new byte[w * h];
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    int v = r.getSample(xx, yy, 0);
                    out[yy * w + xx] = (byte) (bits == 8 ? v : Math.round(v * 255.0 / ((1 << bits) - 1)));
                }
            }
            return new Decoded(h, w, 1, out);
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        boolean grey = cm instanceof IndexColorModel icm && greyPalette(icm);
        if (grey) {
            byte[] out = new byte[w * h];
            for (int i = 0; i < argb.length; i++) out[i] = (byte) argb[i];
            return new Decoded(h, w, 1, out);
        }
        byte[] out = new byte[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            out[3 * i] = (byte) (argb[i] >> 16);
            out[3 * i + 1] = (byte) (argb[i] >> 8);
            out[3 * i + 2] = (byte) argb[i];
        }
        return new Decoded(h, w, 3, out);
    }

    private static boolean greyPalette(IndexColorModel icm) {
        for (int i = 0; i < icm.getMapSize(); i++) {
            if (icm.getRed(i) != icm.getGreen(i) || icm.getGreen(i) != icm.getBlue(i)) return false;
        }
        return true;
    }
}
