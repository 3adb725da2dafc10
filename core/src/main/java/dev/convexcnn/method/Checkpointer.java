package dev.convexcnn.method;

import com.google.gson.JsonObject;
import dev.convexcnn.io.SolverCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When and where an iterative solver saves its state, and how it stops on SIGTERM. The solver asks {@link #due()}
 * at each iteration boundary (a cheap check); when it says yes, the solver builds its {@link SolverCheckpoint} and
 * calls {@link #save}. A state is due every {@link Policy#everySeconds} seconds or {@link Policy#everyIterations}
 * boundaries, and at once when the process is asked to terminate: a shutdown hook asks for the state, waits until it
 * is written (at most {@link #TERM_WAIT_SECONDS} s), and the JVM then exits; {@link #save} throws {@link Stopped} so
 * the solver does no more work. Without a checkpoint file every call is a no-op and no hook is installed.
 *
 * <p>Writing a state never changes the solver's arithmetic, so a run resumed from any boundary ends with the result
 * of an uninterrupted run (same backend and threads).
 */
public final class Checkpointer implements AutoCloseable {
    /** How long the shutdown hook waits for the next iteration boundary before letting the JVM exit without it. */
    public static final long TERM_WAIT_SECONDS = 120;

    /**
     * How often the state is written: every {@code everySeconds} (0: not by time) and every {@code everyIterations}
     * boundaries (0: not by count); {@code stopAfter} &gt; 0 acts as a termination request at that boundary (a kill
     * at a chosen point, for tests and fault scripts).
     */
    public record Policy(double everySeconds, long everyIterations, long stopAfter) {
        public static final Policy DEFAULT = new Policy(30, 0, 0);

        public Policy {
            if (!(everySeconds >= 0) || everyIterations < 0 || stopAfter < 0) {
                throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + everySeconds + " s / " + everyIterations + " iterations");
            }
        }

        public static Policy everySeconds(double s) { return new Policy(s, 0, 0); }
        public static Policy everyIterations(long k) { return new Policy(0, k, 0); }
        public Policy stoppingAfter(long boundaries) { return new Policy(everySeconds, everyIterations, boundaries); }
    }

    /** Thrown by {@link #save} after the state asked for by a termination request is written. */
    public static final class Stopped extends IOException {
        private static final long serialVersionUID = 1L;

        Stopped(String message) { super(message); }
    }

    private final Path file;
    private final String method;
    private final JsonObject fingerprint;
    private final boolean resume;
    private final Policy policy;
    private final Progress progress;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean stop;
    private volatile boolean inLoop;
    private volatile boolean savedOnStop;
    private long boundaries;
    private long lastWrite = System.nanoTime();
    private int written;

    private Checkpointer(Path file, String method, JsonObject fingerprint, boolean resume, Policy policy, Progress progress) {
        this.file = file;
        this.method = method;
        this.fingerprint = fingerprint;
        this.resume = resume;
        this.policy = policy == null ? Policy.DEFAULT : policy;
        this.progress = progress == null ? Progress.NONE : progress;
        Thread h = null;
        if (file != null) {
            h = new Thread(this::onTerminate, "checkpoint-on-exit");
            try {
                Runtime.getRuntime().addShutdownHook(h);
            } catch (IllegalStateException e) {
                h = null; // already shutting down
            }
        }
        this.hook = h;
    }

    /**
     * The checkpointer of a run: the context's file, resume flag and policy; {@code fingerprint} holds everything the
     * state depends on (settings that shape the computation, a data fingerprint), and nothing a resumed run may change.
     */
    public static Checkpointer of(TrainContext ctx, String method, JsonObject fingerprint) {
        return new Checkpointer(ctx.checkpoint(), method, fingerprint, ctx.resume(), ctx.checkpointPolicy(), ctx.progress());
    }

    /** The usual fingerprint: the settings that shape the computation, and the data's size and sha256. */
    public static JsonObject fingerprint(JsonObject settings, dev.convexcnn.data.Dataset data) {
        JsonObject o = new JsonObject();
        o.add("settings", settings);
        JsonObject d = new JsonObject();
        d.addProperty("samples", data.size());
        d.addProperty("sha256", data.sha256());
        o.add("data", d);
        return o;
    }

    /** A checkpointer that writes nothing (for solvers run outside a training command). */
    public static Checkpointer none() {
        return new Checkpointer(null, "", new JsonObject(), false, Policy.DEFAULT, Progress.NONE);
    }

    /** One that writes nothing but says its solver's lines as this one does (a follow-up solve in the same run). */
    public Checkpointer messagesOnly() {
        return new Checkpointer(null, method, fingerprint, false, policy, progress);
    }

    public boolean enabled() { return file != null; }
    public Path file() { return file; }
    public JsonObject fingerprint() { return fingerprint.deepCopy(); }

    /** A new, empty state of this run's method and fingerprint. */
    public SolverCheckpoint state() { return new SolverCheckpoint(method, fingerprint); }

    /**
     * The state to continue from: null when not resuming or when no checkpoint exists yet (said so). A state of
     * other settings, data or method is refused with one line naming the file.
     */
    public SolverCheckpoint resumeFrom() throws IOException {
        if (!resume || file == null) return null;
        if (!Files.exists(file)) {
            progress.message("no checkpoint at " + file + " yet: starting from the beginning");
            return null;
        }
        return SolverCheckpoint.read(file, method, fingerprint);
    }

    /** Says the run continues from a state (one line for the user). */
    public void resumed(String where) {
        progress.message("resumed from " + file + " at " + where);
    }

    /** A line for the user from the solver that saves through this (its progress between iterations). */
    public void note(String line) {
        progress.message(line);
    }

    /** Called at each iteration boundary: whether the solver should save its state now. */
    public boolean due() {
        if (file == null) return false;
        inLoop = true;
        boundaries++;
        if (policy.stopAfter() > 0 && boundaries >= policy.stopAfter()) stop = true;
        if (stop) return true;
        if (policy.everyIterations() > 0 && boundaries % policy.everyIterations() == 0) return true;
        return policy.everySeconds() > 0 && (System.nanoTime() - lastWrite) / 1e9 >= policy.everySeconds();
    }

    /** Writes the state atomically; after a termination request, throws {@link Stopped} once it is written. */
    public void save(SolverCheckpoint state) throws IOException {
        if (file == null) return;
        state.write(file);
        lastWrite = System.nanoTime();
        written++;
        if (stop) {
            savedOnStop = true;
            finished.countDown();
            throw new Stopped("stopped: the solver state is saved in " + file + "; continue with the same command and --resume");
        }
    }

    /** Writes the final state (the run is complete; a resume then only rebuilds the result). */
    public void saveFinal(SolverCheckpoint state) throws IOException {
        if (file == null) return;
        state.write(file);
        written++;
    }

    /** How many states this run wrote. */
    public int written() { return written; }

    /** Asks for the state at the next boundary, then a stop (what SIGTERM does). */
    public void requestStop() { stop = true; }

    public boolean stopRequested() { return stop; }

    private void onTerminate() {
        stop = true;
        // Before the first boundary (data, setup) there is no state worth the wait.
        if (!inLoop) return;
        try {
            if (finished.await(TERM_WAIT_SECONDS, TimeUnit.SECONDS) && savedOnStop) {
                // The solver's own Stopped message may not get out before the JVM halts: say it here.
                progress.message("stopped by a termination signal: the solver state is saved in " + file
                        + "; continue with the same command and --resume");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The run is over (done or failed): the hook is removed and a waiting hook released. */
    @Override
    public void close() {
        finished.countDown();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs and returns at once
            }
        }
    }
}
