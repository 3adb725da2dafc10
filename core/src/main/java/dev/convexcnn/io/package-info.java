/**
 * Files on disk: atomic writes (temp file, fsync, rename, the umask's mode), the tensor file format shared by models
 * and checkpoints (every byte under a checksum), the model file with its architecture and provenance header, JSON
 * result files with a checksum, advisory locks on outputs and the claim of a run's outputs before it starts. The
 * format is documented in {@code docs/model-format.md}.
 */
package dev.convexcnn.io;
