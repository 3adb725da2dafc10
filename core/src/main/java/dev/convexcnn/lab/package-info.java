/**
 * The lab: runs every training method on the same data with a budget and a seed policy, stores one
 * {@link dev.convexcnn.report.RunRecord} per run (so a rerun skips what is done) and summarises them. This is the
 * only package that imports every method package; the methods never import it.
 */
package dev.convexcnn.lab;
