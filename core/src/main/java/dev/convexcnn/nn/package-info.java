/**
 * Neural-network layers on channels-last float batches: conv2d, ReLU, max and average pooling, flatten and
 * linear; the losses; initialisation; {@link dev.convexcnn.nn.Sequential} networks built from an
 * architecture string; evaluation (accuracy, loss, confusion matrix).
 */
package dev.convexcnn.nn;
