/**
 * The lab: runs every registered method ({@link dev.convexcnn.method.Methods}) on the same data with a budget and a
 * seed policy, stores one {@link dev.convexcnn.report.RunRecord} per run (so a rerun skips what is done) and
 * summarises them. It imports no method package: every method comes through {@link dev.convexcnn.method.Method}.
 */
package dev.convexcnn.lab;
