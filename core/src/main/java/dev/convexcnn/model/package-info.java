/**
 * Trained models as one kind of thing: {@link dev.convexcnn.model.Model} (evaluate, describe, count parameters),
 * one file container for every kind ({@link dev.convexcnn.model.ModelStore}, over
 * {@link dev.convexcnn.io.TensorFile}), and a {@link dev.convexcnn.model.ModelCodec} per kind, found by
 * {@link java.util.ServiceLoader}. The ordinary CNN of {@code nn} layers is {@link dev.convexcnn.model.NetworkModel}.
 */
package dev.convexcnn.model;
