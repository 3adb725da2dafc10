package dev.convexcnn.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Loads a dataset by the name a user gives:
 * <ul>
 *   <li>{@code mnist}, {@code fashion-mnist}: from the {@link DataCache} (fetched with
 *       {@code convexcnn data fetch <name>}); names {@code mnist-train}, {@code fashion-mnist-test}, …
 *   <li>{@code cifar10:<dir>}: the binary CIFAR-10 batches in {@code dir}; train is data_batch_1..5, test is
 *       test_batch
 *   <li>{@code digits:<file>}: scikit-learn's digits.csv(.gz); it has no separate test file, so train and test
 *       are the same 1,797 images: split it with {@link Splits} and report the validation score
 *   <li>{@code mnist-rot-regen}, {@code mnist-rand-regen}: rotated and random-background MNIST regenerated from
 *       the cached MNIST by {@link RegeneratedMnist}'s recipe (not the original 2007 files); train is its
 *       10,000 training images, test its 10,000 test images (the 2,000 validation images through
 *       {@link RegeneratedMnist#load})
 *   <li>your own data, paths separated by commas, the training part first and optionally the test part:
 *       {@code idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]} ({@link IdxReader}),
 *       {@code csv:FILE[,TEST_FILE]} (a label and the pixels per line, {@link CsvImageReader}),
 *       {@code npy:X,Y[,TEST_X,TEST_Y]} ({@link NpyReader}) and {@code folder:DIR[,TEST_DIR]} (one subfolder of
 *       PNG/JPEG images per class, {@link ImageFolderReader}). Without a test part the test split is the
 *       training data itself (said in the log); hold out a validation split instead. The classes are 0 …
 *       the largest label of both parts (for folders: the subfolder names of both).
 * </ul>
 */
public final class Datasets {
    /** The accepted forms, for help texts and error messages. */
    public static final String NAME_FORMS = KnownDataset.validNames() + ", cifar10:<dir>, digits:<file.csv[.gz]>, "
            + RegeneratedMnist.validNames() + ", idx:<images>,<labels>[,<test images>,<test labels>], "
            + "csv:<file>[,<test file>], npy:<x.npy>,<y.npy>[,<test x>,<test y>], folder:<dir>[,<test dir>]";

    private static final String CIFAR = "cifar10:";
    private static final String DIGITS = "digits:";
    /** The 2007 names, so asking for one explains why it is not there instead of "unknown". */
    private static final Set<String> ORIGINAL_VARIANTS = Set.of("mnist-rot", "mnist-rotated",
            "mnist-back-rand", "mnist-rand", "mnist-back-random", "mnist-back-image", "mnist-rot-back-image");

    /** Your own data: the prefix, the paths of one part, and what they are, for messages. */
    private enum Own {
        IDX("idx:", 2, "<images>,<labels>"),
        CSV("csv:", 1, "<file>"),
        NPY("npy:", 2, "<x.npy>,<y.npy>"),
        FOLDER("folder:", 1, "<dir>");

        final String prefix;
        final int perPart;
        final String form;

        Own(String prefix, int perPart, String form) {
            this.prefix = prefix;
            this.perPart = perPart;
            this.form = form;
        }

        String usage() {
            String test = form.replace("<", "<test ");
            return prefix + form + "[," + test + "]";
        }

        static Own of(String name) {
            for (Own o : values()) if (name.startsWith(o.prefix)) return o;
            return null;
        }
    }

    /** Which part of a dataset. */
    public enum Part {
        TRAIN, TEST;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * How to load: the data cache, whether a missing MNIST / Fashion-MNIST may be fetched, and where progress
     * lines go.
     *
     * @param fetchIfMissing fetch MNIST / Fashion-MNIST when they are not in the cache; when false a missing
     *     dataset is an error that says which command fetches it
     */
    public record Options(DataCache cache, boolean fetchIfMissing, Consumer<String> log) {
        public Options {
            Objects.requireNonNull(cache, "cache");
            Objects.requireNonNull(log, "log");
        }

        /** The cache from {@link DataCache#resolve} ({@value DataCache#ENV} or the home folder), fetching, silent. */
        public static Options defaults() {
            return new Options(DataCache.resolve(null), true, line -> { });
        }

        public Options withCache(DataCache c) { return new Options(c, fetchIfMissing, log); }

        /** The cache in this folder. */
        public Options withCacheDir(Path dir) { return withCache(new DataCache(dir)); }

        public Options withFetch(boolean fetch) { return new Options(cache, fetch, log); }

        /** Progress lines (fetch steps, what was read) go here, e.g. {@code System.err::println}. */
        public Options withLog(Consumer<String> l) { return new Options(cache, fetchIfMissing, l); }
    }

    private Datasets() {}

    /** The training part of the named dataset. */
    public static Dataset train(String name, Options options) throws IOException {
        return load(name, Part.TRAIN, options);
    }

    /** The test part of the named dataset. */
    public static Dataset test(String name, Options options) throws IOException {
        return load(name, Part.TEST, options);
    }

    /**
     * Loads the training or test part of the named dataset.
     *
     * @deprecated positional flags; use {@link #load(String, Part, Options)}, {@link #train} or {@link #test}
     */
    @Deprecated
    public static Dataset load(String name, boolean train, DataCache cache, boolean fetchIfMissing,
            Consumer<String> log) throws IOException {
        return load(name, train ? Part.TRAIN : Part.TEST, new Options(cache, fetchIfMissing, log));
    }

    /**
     * Loads one part of the named dataset.
     *
     * @throws IllegalArgumentException for a name of none of the accepted forms
     * @throws DataFormatException when the data is missing or malformed (the message names the file)
     */
    public static Dataset load(String name, Part part, Options options) throws IOException {
        return load(name, part, options, null);
    }

    /**
     * The first {@code n} samples of one part: the same name and values as {@code load(name, part, options).head(n)},
     * but MNIST, Fashion-MNIST and your own IDX files are read without holding the rest (a 1,000-image run of
     * MNIST holds 3 MB of pixels, not 188 MB).
     */
    public static Dataset head(String name, Part part, Options options, int n) throws IOException {
        RowSelection head = RowSelection.head(n);
        int[] total = new int[1];
        Dataset d = load(name, part, options, t -> {
            total[0] = t;
            return head.rows(t);
        });
        return n >= total[0] ? d : d.renamed(d.name() + "[:" + n + "]");
    }

    private static Dataset select(Dataset d, RowSelection rows) {
        if (rows == null) return d;
        int[] keep = RowSelection.checked(rows, d.size());
        return keep.length == d.size() ? d : d.subset(keep, d.name());
    }

    /**
     * The samples of one part that {@code rows} selects (all when null), in file order, under the part's name.
     * The IDX readers skip the others while reading; the other formats load the part, then keep the selection.
     */
    public static Dataset load(String name, Part part, Options options, RowSelection rows) throws IOException {
        boolean train = part == Part.TRAIN;
        DataCache cache = options.cache();
        Consumer<String> log = options.log();
        if (name.startsWith(CIFAR)) {
            Path dir = Path.of(argument(name, CIFAR));
            return select(Cifar10Reader.read(train ? Cifar10Reader.trainFiles(dir) : Cifar10Reader.testFiles(dir),
                    "cifar10-" + part.id()), rows);
        }
        if (name.startsWith(DIGITS)) {
            return select(DigitsCsvReader.read(Path.of(argument(name, DIGITS)), "digits"), rows);
        }
        Own own = Own.of(name);
        if (own != null) return loadOwn(own, name, part, log, rows);
        RegeneratedMnist.Variant variant = RegeneratedMnist.variantOrNull(name);
        if (variant != null) {
            return select(RegeneratedMnist.load(variant, train ? RegeneratedMnist.Split.TRAIN : RegeneratedMnist.Split.TEST,
                    cache, options.fetchIfMissing(), log), rows);
        }
        if (ORIGINAL_VARIANTS.contains(name.strip().toLowerCase(Locale.ROOT).replace('_', '-'))) {
            throw new IllegalArgumentException("'" + name + "' (Larochelle et al. 2007) cannot be fetched here; use the "
                    + "regenerated " + RegeneratedMnist.validNames() + " (see RegeneratedMnist for the recipe)");
        }
        KnownDataset known;
        try {
            known = KnownDataset.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown dataset '" + name + "'; use one of " + NAME_FORMS, e);
        }
        Path dir = cache.datasetDir(known);
        if (!DatasetFetcher.isPresent(known, cache)) {
            if (!options.fetchIfMissing()) {
                throw new DataFormatException(dir, known.id() + " is not in the data cache (or its "
                        + DatasetFetcher.MARKER + " marker does not match the files); run `convexcnn data fetch "
                        + known.id() + "` first, or point the data folder flag or " + DataCache.ENV
                        + " at a folder that has it");
            }
            DatasetFetcher.fetch(known, cache, log);
        }
        KnownDataset.DataFile images = train ? known.trainImages() : known.testImages();
        KnownDataset.DataFile labels = train ? known.trainLabels() : known.testLabels();
        DatasetFetcher.checkOnLoad(known, cache, List.of(images, labels));
        return IdxReader.read(dir.resolve(images.name()), dir.resolve(labels.name()), known.id() + "-" + part.id(),
                known.classes(), rows);
    }

    /**
     * The name to load again the data a model was trained on, from its provenance: the training set's name
     * ({@code data.train}, {@code trainedOn}) or the name typed at training ({@code dataset}), without the
     * {@code -train} part and any {@code [:n]} or split suffix; empty when the provenance has none or names data
     * that cannot be loaded by name alone (CIFAR-10 and digits record no path).
     */
    public static Optional<String> fromProvenance(JsonObject provenance) {
        if (provenance == null) return Optional.empty();
        List<String> candidates = new ArrayList<>();
        // The loaded set's name first: for your own data it holds absolute paths, the typed name maybe relative ones.
        if (provenance.has("data") && provenance.get("data").isJsonObject()) {
            addString(candidates, provenance.getAsJsonObject("data").get("name"));    // written by method.Training
            addString(candidates, provenance.getAsJsonObject("data").get("train"));
        }
        addString(candidates, provenance.get("trainedOn"));
        addString(candidates, provenance.get("dataset"));
        for (String c : candidates) {
            Optional<String> n = nameOf(c);
            if (n.isPresent()) return n;
        }
        if (provenance.has("sourceProvenance") && provenance.get("sourceProvenance").isJsonObject()) {
            return fromProvenance(provenance.getAsJsonObject("sourceProvenance"));
        }
        return Optional.empty();
    }

    /**
     * The dataset to evaluate a model on: {@code named} when given, else the one its provenance names, else
     * {@code mnist}. Warns (one line) when the named one differs from the provenance's or none is known.
     */
    public static String forModel(String named, JsonObject provenance, Consumer<String> warn) {
        Optional<String> trained = fromProvenance(provenance);
        if (named == null) {
            if (trained.isPresent()) return trained.get();
            warn.accept("warning: the model's provenance names no dataset that can be loaded again; evaluating on "
                    + "mnist (give --dataset)");
            return KnownDataset.MNIST.id();
        }
        if (trained.isPresent() && !sameName(trained.get(), named)) {
            warn.accept("warning: the model was trained on " + trained.get() + "; evaluating on " + named);
        }
        return named;
    }

    private static boolean sameName(String a, String b) {
        Optional<String> nb = nameOf(b);
        return nb.isPresent() && nb.get().equals(a);
    }

    private static void addString(List<String> out, JsonElement e) {
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) out.add(e.getAsString());
    }

    /**
     * The loadable dataset name behind a {@link Dataset#name()} or a typed name: {@code mnist-train[:500]/train}
     * gives {@code mnist}; empty when it names nothing loadable by name alone.
     */
    public static Optional<String> nameOf(String datasetName) {
        String n = datasetName.strip();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String suffix : new String[] {"/train", "/validation", "/test"}) {
                if (n.endsWith(suffix)) {
                    n = n.substring(0, n.length() - suffix.length());
                    changed = true;
                }
            }
            if (n.endsWith("]") && n.lastIndexOf("[:") > 0) {
                n = n.substring(0, n.lastIndexOf("[:"));
                changed = true;
            }
        }
        Own own = Own.of(n);
        if (n.endsWith("-train")) n = n.substring(0, n.length() - "-train".length());
        else if (n.endsWith("-test")) n = n.substring(0, n.length() - "-test".length());
        if (own != null) return Optional.of(n);
        if (RegeneratedMnist.variantOrNull(n) != null) return Optional.of(n);
        try {
            return Optional.of(KnownDataset.parse(n).id());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    // ---- your own data -----------------------------------------------------------------------------------

    private static Dataset loadOwn(Own own, String name, Part part, Consumer<String> log, RowSelection rows)
            throws IOException {
        String rest = argument(name, own.prefix);
        List<Path> paths = new ArrayList<>();
        for (String p : rest.split(",", -1)) {
            String t = p.strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("'" + name + "' has an empty path; the form is " + own.usage());
            }
            paths.add(Path.of(t).toAbsolutePath().normalize());
        }
        if (paths.size() != own.perPart && paths.size() != 2 * own.perPart) {
            throw new IllegalArgumentException("'" + name + "' gives " + paths.size() + " path"
                    + (paths.size() == 1 ? "" : "s") + "; the form is " + own.usage());
        }
        List<Path> trainPaths = paths.subList(0, own.perPart);
        List<Path> testPaths = paths.size() > own.perPart ? paths.subList(own.perPart, paths.size()) : null;
        StringBuilder canonical = new StringBuilder(own.prefix);
        for (int i = 0; i < paths.size(); i++) canonical.append(i > 0 ? "," : "").append(paths.get(i));
        boolean sameAsTrain = part == Part.TEST && testPaths == null;
        if (sameAsTrain) {
            log.accept(name + " has no test part: the test split is the training data itself (give "
                    + own.usage() + " for a test set, or hold out a validation split)");
        }
        List<Path> mine = part == Part.TRAIN || sameAsTrain ? trainPaths : testPaths;
        List<Path> other = sameAsTrain || testPaths == null ? null : part == Part.TRAIN ? testPaths : trainPaths;
        String dsName = canonical + "-" + (sameAsTrain ? Part.TRAIN : part).id();
        return switch (own) {
            case IDX -> {
                int max = IdxReader.maxLabel(mine.get(1));
                if (max < 0) throw new DataFormatException(mine.get(1), "holds no labels");
                if (other != null) max = Math.max(max, IdxReader.maxLabel(other.get(1)));
                yield IdxReader.read(mine.get(0), mine.get(1), dsName, max + 1, rows);
            }
            case CSV -> select(CsvImageReader.read(mine.get(0), dsName, other == null ? 0
                    : CsvImageReader.maxLabel(other.get(0)) + 1), rows);
            case NPY -> select(NpyReader.read(mine.get(0), mine.get(1), dsName, other == null ? 0
                    : NpyReader.maxLabel(other.get(1)) + 1), rows);
            case FOLDER -> {
                List<Path> dirs = new ArrayList<>(trainPaths);
                if (testPaths != null) dirs.addAll(testPaths);
                yield select(ImageFolderReader.read(mine.get(0), ImageFolderReader.classNames(dirs), dsName, log), rows);
            }
        };
    }

    private static String argument(String name, String prefix) {
        String rest = name.substring(prefix.length()).strip();
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("'" + name + "' needs a path after '" + prefix + "'; use one of "
                    + NAME_FORMS);
        }
        return rest;
    }
}
