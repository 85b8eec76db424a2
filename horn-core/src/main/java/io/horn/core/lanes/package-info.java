/**
 * User-written neurons run many samples at once: {@link io.horn.core.lanes.NeuronCompiler} reads
 * a neuron class's {@code forward} and {@code backward} bytecode and, when they stay within what
 * it can widen, turns them into lane programs that {@link io.horn.core.lanes.LaneLayerRunner}
 * executes for up to {@link io.horn.core.lanes.LaneFrame#LANES} samples per call, every operation
 * of the neuron applied to all samples before the next. Each sample (lane) goes through the same
 * double operations in the same order as on the per-neuron path, so the results are the same
 * bits; what cannot be widened is reported with its reason and runs on the per-neuron path.
 * A {@code push} that needs nothing carried from the previous synapse runs as a loop of its own
 * ({@link io.horn.core.lanes.PushSplit}), samples outside and synapses inside, so that each
 * synapse's sum still takes its pushes in sample order while the synapses are vectorised.
 */
package io.horn.core.lanes;
