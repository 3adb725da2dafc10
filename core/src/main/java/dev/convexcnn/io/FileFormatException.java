package dev.convexcnn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that cannot be read as what it should be (damaged, truncated, edited, or of another kind). The message
 * always names the file and says what is wrong, so a command-line tool can print it as it is.
 */
public class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    // Path is not Serializable; the message carries the name.
    private final transient Path file;

    /** A problem with {@code file}; the message becomes "file: problem". */
    public FileFormatException(Path file, String problem) {
        super(oneLine(file + ": " + problem));
        this.file = file;
    }

    public FileFormatException(Path file, String problem, Throwable cause) {
        super(oneLine(file + ": " + problem), cause);
        this.file = file;
    }

    /** A problem whose message names the file itself. */
    public FileFormatException(String message) {
        super(oneLine(message));
        this.file = null;
    }

    /** Messages are printed as one line; a library's multi-line text (Gson adds a help link) is joined. */
    static String oneLine(String s) {
        return s == null ? null : s.replaceAll("\\s*\\R\\s*", " ");
    }

    /** The file at fault, or null when only the message names it. */
    public Path file() {
        return file;
    }
}
