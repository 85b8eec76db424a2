/**
 * Command-line tools for model files, behind {@code bin/horn eval}, {@code bin/horn predict} and
 * {@code bin/horn info}: {@link io.horn.examples.tools.ModelTool} is the entry point; the other
 * classes parse arguments, read prediction input (datasets, idx image files, CSV) and format
 * the reports.
 */
package io.horn.examples.tools;
