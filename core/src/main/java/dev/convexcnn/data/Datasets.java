package dev.convexcnn.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
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
 * </ul>
 */
public final class Datasets {
    /** The accepted forms, for help texts and error messages. */
    public static final String NAME_FORMS = KnownDataset.validNames() + ", cifar10:<dir>, digits:<file.csv[.gz]>, "
            + RegeneratedMnist.validNames();

    private static final String CIFAR = "cifar10:";
    private static final String DIGITS = "digits:";
    /** The 2007 names, so asking for one explains why it is not there instead of "unknown". */
    private static final Set<String> ORIGINAL_VARIANTS = Set.of("mnist-rot", "mnist-rotated",
            "mnist-back-rand", "mnist-rand", "mnist-back-random", "mnist-back-image", "mnist-rot-back-image");

    private Datasets() {}

    /**
     * Loads the training or test part of the named dataset.
     *
     * @param fetchIfMissing fetch MNIST / Fashion-MNIST when they are not in the cache; when false a missing
     *     dataset is an error that says which command fetches it
     * @throws IllegalArgumentException for a name of none of the accepted forms
     * @throws DataFormatException when the data is missing or malformed
     */
    public static Dataset load(String name, boolean train, DataCache cache, boolean fetchIfMissing,
            Consumer<String> log) throws IOException {
        String part = train ? "train" : "test";
        if (name.startsWith(CIFAR)) {
            Path dir = Path.of(argument(name, CIFAR));
            return Cifar10Reader.read(train ? Cifar10Reader.trainFiles(dir) : Cifar10Reader.testFiles(dir),
                    "cifar10-" + part);
        }
        if (name.startsWith(DIGITS)) {
            return DigitsCsvReader.read(Path.of(argument(name, DIGITS)), "digits");
        }
        RegeneratedMnist.Variant variant = RegeneratedMnist.variantOrNull(name);
        if (variant != null) {
            return RegeneratedMnist.load(variant, train ? RegeneratedMnist.Split.TRAIN : RegeneratedMnist.Split.TEST,
                    cache, fetchIfMissing, log);
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
            if (!fetchIfMissing) {
                throw new DataFormatException(dir, known.id() + " is not in the data cache (or its "
                        + DatasetFetcher.MARKER + " marker does not match the files); run `convexcnn data fetch "
                        + known.id() + "` first, or point the data folder flag or " + DataCache.ENV
                        + " at a folder that has it");
            }
            DatasetFetcher.fetch(known, cache, log);
        }
        KnownDataset.DataFile images = train ? known.trainImages() : known.testImages();
        KnownDataset.DataFile labels = train ? known.trainLabels() : known.testLabels();
        return IdxReader.read(dir.resolve(images.name()), dir.resolve(labels.name()), known.id() + "-" + part,
                known.classes());
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
