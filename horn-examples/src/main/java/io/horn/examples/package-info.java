/** Runnable examples: the MNIST runner and the seed's user-written neuron. */
package io.horn.examples;
