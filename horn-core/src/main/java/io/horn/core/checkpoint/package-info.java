/**
 * Checkpoints of a training job: the weights, each task group's optimizer state, step count and
 * place in its data, as typed values ({@link io.horn.core.checkpoint.Checkpoint}, {@link
 * io.horn.core.checkpoint.GroupState}) stored in Horn's model file format, so that a checkpoint
 * is also a model every tool reads.
 */
package io.horn.core.checkpoint;
