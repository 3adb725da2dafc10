/**
 * The shape every training method has. A {@link dev.convexcnn.method.Method} has an id, its description, paper and
 * fidelity label ({@link dev.convexcnn.method.MethodInfo}), a settings type with defaults and a
 * {@link dev.convexcnn.method.Budget} mapping, its command-line options ({@link dev.convexcnn.method.MethodOptions})
 * and {@code train(data, settings, context)}, which returns a {@link dev.convexcnn.method.Trained}: the model, its
 * certificate where the method has one, the trace of the run and its figures. Methods are registered in one place,
 * {@code META-INF/services/dev.convexcnn.method.Method}, and found by {@link dev.convexcnn.method.Methods};
 * {@link dev.convexcnn.method.Training} runs any of them the same way (train, evaluate, provenance). Shared layers
 * ({@code linalg}, {@code data}, {@code nn}, {@code optim}, {@code model}) never import a method; methods import this.
 */
package dev.convexcnn.method;
