/** Reports: plots (headless PNG through XChart) and tables for experiments. */
package dev.convexcnn.report;
