package dev.convexcnn.io;

import java.nio.file.Path;

/** A model or checkpoint file that cannot be read; the message names the file and the problem. */
public final class ModelFormatException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) { super(message); }

    public ModelFormatException(Path file, String problem) { super(file, problem); }
}
