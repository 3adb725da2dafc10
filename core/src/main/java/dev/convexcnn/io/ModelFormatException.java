package dev.convexcnn.io;

import java.io.IOException;

/** A model or checkpoint file that cannot be read; the message names the file and the problem. */
public final class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) { super(message); }
}
