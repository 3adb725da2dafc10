package dev.convexcnn.ccnn;

import java.util.Locale;

/** How the patch kernel's feature map is made finite. */
public enum Approximation {
    /** Random Fourier features (Rahimi–Recht); Gaussian kernel only. Data-independent. */
    FOURIER("fourier"),
    /** Nyström on m landmark patches drawn from the training patches; any kernel. */
    NYSTROM("nystrom");

    private final String id;

    Approximation(String id) { this.id = id; }

    public String id() { return id; }

    public static Approximation parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "fourier": case "rff": case "random-fourier": return FOURIER;
            case "nystrom": case "nyström": return NYSTROM;
            default: throw new IllegalArgumentException("approximation must be fourier or nystrom, got '" + s + "'");
        }
    }

    @Override
    public String toString() { return id; }
}
