/**
 * The training report: {@link io.horn.examples.report.TrainingReport} turns a trained model's
 * metadata (per-group training history, configuration, final figures) into a directory with
 * {@code index.html}, {@code loss.png} and {@code accuracy.png}; {@link
 * io.horn.examples.report.ReportMain} does it from the command line ({@code bin/horn class
 * io.horn.examples.report.ReportMain <model-file> <out-dir>}).
 */
package io.horn.examples.report;
