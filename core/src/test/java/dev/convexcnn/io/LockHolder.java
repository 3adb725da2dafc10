package dev.convexcnn.io;

import java.nio.file.Path;

/** A second process for lock tests: takes the lock of its argument, says so, and holds it until stdin closes. */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        FileLocks.setCommand("lock-holder " + args[0]);
        try (FileLocks.Held h = FileLocks.acquire(Path.of(args[0]), "holding it for a test")) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold
            }
        }
    }

    /** Starts a holder of {@code target} and waits until it holds the lock. */
    public static Process start(Path target) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dconvexcnn.locks=" + FileLocks.lockDir(), "-cp",
                System.getProperty("java.class.path"), LockHolder.class.getName(), target.toString()).redirectErrorStream(true).start();
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line = in.readLine();
        if (!"locked".equals(line)) throw new IllegalStateException("the holder said: " + line);
        return p;
    }
}
