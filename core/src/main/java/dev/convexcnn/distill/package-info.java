/**
 * The distillation study of Urban et al. (ICLR 2017) with Ba and Caruana's mimic learning: a deep CNN teacher (or
 * an ensemble) trained with shifted images, its logits on a transfer set cached once, and students of 0 to 4 conv
 * layers and of 1 to 5 fully-connected layers sized to parameter budgets, each tuned by a seeded random search on
 * a validation split and trained on the teacher's logits (L2, or KL at a temperature) and on the hard labels.
 * Every (student, budget, target) cell is its own result file, so a study can be stopped and continued, and any
 * runner (the CLI here, Spark later) can run cells through {@link dev.convexcnn.distill.CellRunner}.
 */
package dev.convexcnn.distill;
