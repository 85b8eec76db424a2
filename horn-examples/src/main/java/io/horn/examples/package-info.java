/** Runnable examples: the MNIST runner and a user-written neuron in Apache Horn's style. */
package io.horn.examples;
