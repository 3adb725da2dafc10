/**
 * Files on disk: atomic writes (temp file, fsync, rename), the tensor file format shared by models and
 * checkpoints, and the model file with its architecture and provenance header. The format is documented in
 * {@code docs/model-format.md}.
 */
package dev.convexcnn.io;
