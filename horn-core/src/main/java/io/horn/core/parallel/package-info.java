/**
 * Model parallelism inside a task group: each of the group's P members owns a contiguous slice
 * of the neurons of every hidden and output layer — a neuron with its incoming synapses and
 * bias, which in the flat parameter layout is one contiguous run of floats — and the optimizer
 * state of exactly those. Forward, each member computes its neurons' outputs for the whole
 * mini-batch and the group all-gathers the layer; backward, each member computes its neurons'
 * gradients locally and the errors of the layer below come from a reduce-scatter of the
 * members' partial sums. {@link io.horn.core.parallel.NeuronSlices} says who owns what,
 * {@link io.horn.core.parallel.GroupExchange} is the collective the engine needs, and
 * {@link io.horn.core.parallel.SlicedEngine} is a member's engine.
 */
package io.horn.core.parallel;
