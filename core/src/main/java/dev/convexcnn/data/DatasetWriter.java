package dev.convexcnn.data;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * Writes a dataset in the forms {@link Datasets} reads back ({@code idx:}, {@code csv:}, {@code npy:},
 * {@code folder:}), with pixels as bytes 0..255 (round(255·v)): to hand data to other tools, and so that one
 * dataset can be checked to read the same in every form. Each file is written under a temporary name and
 * renamed into place.
 */
public final class DatasetWriter {
    private DatasetWriter() {}

    /** IDX image and label files (grey images only: IDX has no channel dimension here). */
    public static void idx(Dataset d, Path images, Path labels) throws IOException {
        if (d.channels() != 1) throw new IllegalArgumentException("IDX holds grey images; " + d + " has channels");
        if (d.classes() > 256) throw new IllegalArgumentException("IDX labels are bytes; " + d + " has more classes");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(IdxReader.IMAGE_MAGIC);
        out.writeInt(d.size());
        out.writeInt(d.height());
        out.writeInt(d.width());
        out.write(bytes(d));
        write(images, b.toByteArray());
        b.reset();
        out.writeInt(IdxReader.LABEL_MAGIC);
        out.writeInt(d.size());
        for (int y : d.labels()) out.writeByte(y);
        write(labels, b.toByteArray());
    }

    /** One line per image: the label, then the pixels 0..255, channels last. */
    public static void csv(Dataset d, Path file) throws IOException {
        Path tmp = temp(file);
        byte[] px = bytes(d);
        int f = d.features();
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
            w.write("label");
            for (int j = 0; j < f; j++) w.write(",pixel" + j);
            w.write('\n');
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < d.size(); i++) {
                line.setLength(0);
                line.append(d.label(i));
                for (int j = 0; j < f; j++) line.append(',').append(px[i * f + j] & 0xff);
                w.append(line).append('\n');
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** X as uint8 of shape (N, H, W) or (N, H, W, C), Y as int64 of shape (N,). */
    public static void npy(Dataset d, Path x, Path y) throws IOException {
        String shape = d.channels() == 1 ? d.size() + ", " + d.height() + ", " + d.width()
                : d.size() + ", " + d.height() + ", " + d.width() + ", " + d.channels();
        write(x, concat(npyHeader("|u1", shape), bytes(d)));
        byte[] labels = new byte[8 * d.size()];
        for (int i = 0; i < d.size(); i++) {
            long v = d.label(i);
            for (int k = 0; k < 8; k++) labels[8 * i + k] = (byte) (v >>> (8 * k));
        }
        write(y, concat(npyHeader("<i8", d.size() + ","), labels));
    }

    /**
     * One subfolder per class ({@code dir/0}, {@code dir/1}, …) of PNG files named by sample index, in the order
     * {@link ImageFolderReader} reads them back when the classes take turns (sample i of class c is the k-th image
     * of c: so a dataset whose labels cycle 0, 1, …, c−1, 0, 1, … reads back in the same order).
     */
    public static void folder(Dataset d, Path dir) throws IOException {
        Files.createDirectories(dir);
        byte[] px = bytes(d);
        int f = d.features();
        int digits = Integer.toString(Math.max(1, d.size() - 1)).length();
        for (int c = 0; c < d.classes(); c++) Files.createDirectories(dir.resolve(Integer.toString(c)));
        for (int i = 0; i < d.size(); i++) {
            BufferedImage img = new BufferedImage(d.width(), d.height(),
                    d.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
            WritableRaster r = img.getRaster();
            for (int yy = 0; yy < d.height(); yy++) {
                for (int xx = 0; xx < d.width(); xx++) {
                    int p = i * f + (yy * d.width() + xx) * d.channels();
                    if (d.channels() == 1) {
                        r.setSample(xx, yy, 0, px[p] & 0xff);
                    } else {
                        for (int ch = 0; ch < 3; ch++) r.setSample(xx, yy, ch, px[p + ch] & 0xff);
                    }
                }
            }
            Path file = dir.resolve(Integer.toString(d.label(i))).resolve(String.format("%0" + digits + "d.png", i));
            Path tmp = temp(file);
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer in this Java runtime");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static byte[] bytes(Dataset d) {
        float[] v = d.pixels();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            int q = Math.round(v[i] * 255f);
            b[i] = (byte) Math.max(0, Math.min(255, q));
        }
        return b;
    }

    /** The .npy version 1.0 preamble and header dictionary, padded so that the data starts at a multiple of 64. */
    private static byte[] npyHeader(String descr, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String h = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.write(h.length() & 0xff);
        b.write(h.length() >>> 8);
        b.writeBytes(h.getBytes(StandardCharsets.ISO_8859_1));
        return b.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void write(Path file, byte[] data) throws IOException {
        Path tmp = temp(file);
        try (OutputStream o = Files.newOutputStream(tmp)) {
            o.write(data);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path temp(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return parent.resolve("." + file.getFileName() + ".tmp");
    }
}
