/**
 * The CPU engine (whole-layer BLAS for built-in neurons, the per-neuron path for user neurons)
 * and the in-process trainer.
 */
package io.horn.core.engine;
