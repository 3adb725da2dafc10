package dev.convexcnn.method;

/**
 * A method's command-line options: a class whose fields carry picocli's {@code @Option} annotations (picocli is an
 * optional dependency of the core: without it the annotations are simply absent). Fields left unset by the user
 * are null, and {@link #apply} overrides only what was given.
 *
 * @param <S> the method's settings
 */
public interface MethodOptions<S> {
    /** The settings with the given options applied; a bad value is an IllegalArgumentException naming its flag. */
    S apply(S settings);
}
