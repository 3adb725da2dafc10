/**
 * The linear baseline: a ridge-regression classifier on the normalised pixels, solved exactly. It answers the lab's
 * first question, how much a CNN adds over no hidden layer at all, and shows what a method needs: one package
 * (settings, {@link dev.convexcnn.ridge.RidgeMethod}, its model and codec) and one line in each services file.
 */
package dev.convexcnn.ridge;
