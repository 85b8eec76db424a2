/**
 * Where a Hama job's checkpoints live ({@link io.horn.bsp.checkpoint.CheckpointStore}: any
 * Hadoop file system, written atomically, the newest few kept) and how tasks write them without
 * stopping to wait for the file system ({@link io.horn.bsp.checkpoint.CheckpointWriter}).
 */
package io.horn.bsp.checkpoint;
