package dev.convexcnn.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file is missing, damaged or not in the expected format. The message always names the file (or
 * folder) and says what is wrong with it, so a command-line tool can print it as it is.
 */
public final class DataFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    // Path is not Serializable; the message already carries the name.
    private final transient Path file;

    /** A problem with {@code file}; the message becomes "file: problem". */
    public DataFormatException(Path file, String problem) {
        super(oneLine(file + ": " + problem));
        this.file = file;
    }

    /** A problem with {@code file} caused by a lower-level exception. */
    public DataFormatException(Path file, String problem, Throwable cause) {
        super(oneLine(file + ": " + problem), cause);
        this.file = file;
    }

    /** A problem whose message names the files itself. */
    public DataFormatException(String message) {
        super(oneLine(message));
        this.file = null;
    }

    /** Messages are printed as one line. */
    private static String oneLine(String s) {
        return s == null ? null : s.replaceAll("\\s*\\R\\s*", " ");
    }

    /** The file or folder at fault, or null when the message names it itself. */
    public Path file() {
        return file;
    }
}
