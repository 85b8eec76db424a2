/**
 * Horn's user API: {@link io.horn.core.Neuron} programs over {@link io.horn.core.Synapse}s, the
 * built-in {@link io.horn.core.StandardNeuron} and {@link io.horn.core.DropoutNeuron}, and the
 * {@link io.horn.core.HornJob} builder that declares and runs a network.
 */
package io.horn.core;
