/**
 * Horn's training data in Hadoop form: {@link io.horn.bsp.io.SampleWritable} records in
 * SequenceFiles, written by {@link io.horn.bsp.io.MnistConverter}, loaded whole by the dataset
 * format {@code seqfile} ({@link io.horn.bsp.io.SequenceFileDatasetFormat}), and divided over a
 * Hama job's workers by {@link io.horn.bsp.io.HornInputFormat}. Paths may be local or on HDFS.
 */
package io.horn.bsp.io;
